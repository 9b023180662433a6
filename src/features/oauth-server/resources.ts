/**
 * The public URLs of this server as the caller sees them (seed "Multi-host deployments"):
 * the issuer, the API and the MCP endpoint as protected resources (RFC 9728), derived per
 * request from the origin the caller reached, but only when a trusted proxy forwards it
 * (IMBI_API_FORWARDED_ALLOW_IPS set) and only for a trusted origin: the origin of
 * IMBI_API_URL or one of IMBI_API_CORS_ALLOWED_ORIGINS. Anything else gets IMBI_API_URL,
 * so a spoofed Host header cannot steer codes or tokens off-origin.
 */
import type { Settings } from "../../config/settings.ts";
import { apiPrefix, configuredOrigin, trustedRequestOrigin, type RequestOriginSource } from "../../http/urls.ts";

export interface PublicUrls {
  /** scheme://host[:port] the caller reached (or IMBI_API_URL's). */
  origin: string;
  /** The authorization server's issuer identifier: origin + API prefix. */
  issuer: string;
  /** The API as a protected resource (RFC 8707 `resource`, token `aud`). */
  apiResource: string;
  /** The MCP endpoint as a protected resource; /mcp is served at the host root. */
  mcpResource: string;
}

/** The origin to publish for this request: the reached one only behind a trusted proxy and when trusted. */
export function requestOrigin(server: Settings["server"], source: RequestOriginSource): string {
  if (!server.forwarded_allow_ips.trim()) return configuredOrigin(server);
  return trustedRequestOrigin(server, source);
}

export function publicUrls(server: Settings["server"], source: RequestOriginSource): PublicUrls {
  const origin = requestOrigin(server, source);
  const issuer = origin + apiPrefix(server);
  return { origin, issuer, apiResource: issuer, mcpResource: `${origin}/mcp` };
}

/** The MCP endpoint's resource URL for this request: the audience /mcp requires of tokens. */
export function mcpResourceUrl(server: Settings["server"], source: RequestOriginSource): string {
  return publicUrls(server, source).mcpResource;
}

/** The API's resource URL for this request: the audience the API requires of tokens that carry one. */
export function apiResourceUrl(server: Settings["server"], source: RequestOriginSource): string {
  return publicUrls(server, source).apiResource;
}
