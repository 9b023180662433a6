/**
 * Client metadata (RFC 7591 §2), as sent to /auth/register or published as a Client ID
 * Metadata Document: public clients only (no secret; token_endpoint_auth_method "none"),
 * the authorization_code grant (plus refresh_token), response type "code", redirect URIs
 * by the rules of redirect-uris.ts. Unknown fields are ignored (RFC 7591 §2).
 */
import { redirectUriProblem } from "./redirect-uris.ts";

export const SUPPORTED_GRANTS = ["authorization_code", "refresh_token"] as const;
const MAX_REDIRECT_URIS = 20;
const MAX_NAME_LENGTH = 200;
const MAX_SCOPE_LENGTH = 1000;

export interface ClientMetadata {
  client_name: string | null;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: "none";
  scope: string | null;
}

/** RFC 7591 §3.2.2 error codes. */
export class ClientMetadataError extends Error {
  constructor(readonly code: "invalid_redirect_uri" | "invalid_client_metadata", message: string) {
    super(message);
  }
}

const invalid = (message: string) => new ClientMetadataError("invalid_client_metadata", message);

function stringList(value: unknown, field: string, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalid(`${field} must be an array of strings`);
  return [...new Set(value as string[])];
}

function optionalString(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > max) throw invalid(`${field} must be a string of at most ${max} characters`);
  return value;
}

export function validateClientMetadata(input: unknown): ClientMetadata {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw invalid("Client metadata must be a JSON object");
  const body = input as Record<string, unknown>;
  const redirectUris = stringList(body.redirect_uris, "redirect_uris", []);
  if (!redirectUris.length) throw new ClientMetadataError("invalid_redirect_uri", "redirect_uris is required");
  if (redirectUris.length > MAX_REDIRECT_URIS) throw new ClientMetadataError("invalid_redirect_uri", `At most ${MAX_REDIRECT_URIS} redirect_uris are accepted`);
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new ClientMetadataError("invalid_redirect_uri", `Invalid redirect_uri ${JSON.stringify(uri.slice(0, 200))}: ${problem}`);
  }
  const grantTypes = stringList(body.grant_types, "grant_types", [...SUPPORTED_GRANTS]);
  if (!grantTypes.includes("authorization_code")) throw invalid("The authorization_code grant type is required");
  if (grantTypes.some((g) => !(SUPPORTED_GRANTS as readonly string[]).includes(g))) {
    throw invalid("Only the authorization_code and refresh_token grant types are supported");
  }
  const responseTypes = stringList(body.response_types, "response_types", ["code"]);
  if (responseTypes.length !== 1 || responseTypes[0] !== "code") throw invalid("Only response_types [\"code\"] is supported");
  const authMethod = body.token_endpoint_auth_method ?? "none";
  if (authMethod !== "none") throw invalid("Only public clients (token_endpoint_auth_method \"none\") are supported");
  if (body.client_secret !== undefined) throw invalid("Public clients have no client_secret");
  return {
    client_name: optionalString(body.client_name, "client_name", MAX_NAME_LENGTH),
    redirect_uris: redirectUris,
    grant_types: grantTypes,
    response_types: responseTypes,
    token_endpoint_auth_method: "none",
    scope: optionalString(body.scope, "scope", MAX_SCOPE_LENGTH),
  };
}
