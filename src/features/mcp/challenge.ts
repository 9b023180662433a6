/**
 * The 401 that starts an MCP client's OAuth discovery (MCP authorization spec, RFC 9728
 * §5.1): `WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp"`,
 * with RFC 6750's invalid_token when a token was presented and refused. The body is the
 * usual `{"detail": ...}` (D1).
 */
import { HttpError } from "../../http/errors.ts";

/** RFC 9728 §3.1: the metadata path is the well-known prefix followed by the resource's path. */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname.replace(/\/$/, "")}`;
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, "\\$&")}"`;

export function challengeError(resource: string, refused?: { description: string }): HttpError {
  const params = [`resource_metadata=${quoted(resourceMetadataUrl(resource))}`];
  if (refused) params.unshift(`error="invalid_token"`, `error_description=${quoted(refused.description)}`);
  return new HttpError(401, refused?.description ?? "Missing authentication credentials", { "WWW-Authenticate": `Bearer ${params.join(", ")}` });
}
