/**
 * Discovery, at the host root (not under the API prefix) and hidden from OpenAPI:
 *   RFC 8414 authorization-server metadata at /.well-known/oauth-authorization-server and,
 *   for an issuer with a path (IMBI_API_URL https://host/api → issuer https://host/api),
 *   at the path-inserted /.well-known/oauth-authorization-server/api as well;
 *   RFC 9728 protected-resource metadata for the API (/.well-known/oauth-protected-resource
 *   + the API prefix) and for the MCP endpoint (/.well-known/oauth-protected-resource/mcp).
 * Every URL is derived per request for trusted origins only (resources.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { publicUrls } from "./resources.ts";
import type { RequestOriginSource } from "../../http/urls.ts";

/** The one scope: the user's own access. Narrower grants are for API keys and client credentials. */
export const SCOPES_SUPPORTED = ["imbi"];

export function authorizationServerMetadata(ctx: AppContext, source: RequestOriginSource) {
  const { issuer } = publicUrls(ctx.settings.server, source);
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth/authorize`,
    token_endpoint: `${issuer}/auth/token`,
    // Not advertised when switched off, so clients fall back to a metadata document instead of failing.
    ...(ctx.settings.auth.dcr_enabled ? { registration_endpoint: `${issuer}/auth/register` } : {}),
    scopes_supported: SCOPES_SUPPORTED,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    // Only "none" (public clients + PKCE): advertising secret methods makes some MCP clients register confidential clients, which registration refuses.
    token_endpoint_auth_methods_supported: ["none"],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
  };
}

function protectedResourceMetadata(ctx: AppContext, source: RequestOriginSource, which: "api" | "mcp") {
  const urls = publicUrls(ctx.settings.server, source);
  return {
    resource: which === "api" ? urls.apiResource : urls.mcpResource,
    resource_name: which === "api" ? "Imbi API" : "Imbi MCP",
    authorization_servers: [urls.issuer],
    scopes_supported: SCOPES_SUPPORTED,
    bearer_methods_supported: ["header"],
  };
}

export function oauthWellKnownRoutes(ctx: AppContext) {
  const hidden = { detail: { hide: true } };
  const cached = (set: { headers: Record<string, unknown> }) => {
    // Per-request values (the host decides them): caches must not share them across hosts.
    set.headers["cache-control"] = "no-cache";
    set.headers["vary"] = "Host, X-Forwarded-Host, X-Forwarded-Proto";
  };
  const asMetadata = (c: RequestOriginSource & { set: { headers: Record<string, unknown> } }) => {
    cached(c.set);
    return authorizationServerMetadata(ctx, c);
  };
  const app = new Elysia({ name: "imbi.oauth-well-known" })
    .get("/.well-known/oauth-authorization-server", asMetadata, hidden)
    .get(`/.well-known/oauth-protected-resource${ctx.prefix}`, (c) => {
      cached(c.set);
      return protectedResourceMetadata(ctx, c as RequestOriginSource, "api");
    }, hidden)
    .get("/.well-known/oauth-protected-resource/mcp", (c) => {
      cached(c.set);
      return protectedResourceMetadata(ctx, c as RequestOriginSource, "mcp");
    }, hidden);
  // RFC 8414 §3.1: an issuer with a path has its metadata at the path-inserted location.
  return ctx.prefix ? app.get(`/.well-known/oauth-authorization-server${ctx.prefix}`, asMetadata, hidden) : app;
}
