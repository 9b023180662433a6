/**
 * The public URLs of this server as the caller sees them (seed "Multi-host deployments"):
 * the issuer, the API and the MCP endpoint as protected resources (RFC 9728), derived per
 * request from the origin the caller reached, but only when a trusted proxy forwards it
 * (IMBI_API_FORWARDED_ALLOW_IPS set) and only for a trusted origin: the origin of
 * IMBI_API_URL or one of IMBI_API_CORS_ALLOWED_ORIGINS. Anything else gets IMBI_API_URL,
 * so a spoofed Host header cannot steer codes or tokens off-origin.
 */
import type { Settings } from "../../config/settings.ts";
import { apiPrefix, publicBaseUrl } from "../../http/urls.ts";

/** The part of a request the derivation reads: the URL and the client info request-context derived. */
export interface RequestOriginSource {
  request: Request;
  client?: { scheme: string; host: string };
}

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

export function configuredOrigin(server: Settings["server"]): string {
  return new URL(publicBaseUrl(server)).origin;
}

function normalizedOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function trustedOrigins(server: Settings["server"]): Set<string> {
  const cors = server.cors_allowed_origins.map(normalizedOrigin).filter((o): o is string => !!o);
  return new Set([configuredOrigin(server), ...cors]);
}

function originOf(source: RequestOriginSource): string | undefined {
  return source.client ? normalizedOrigin(`${source.client.scheme}://${source.client.host}`) : undefined;
}

/** The origin to publish for this request: the reached one when trusted, IMBI_API_URL's otherwise. */
export function requestOrigin(server: Settings["server"], source: RequestOriginSource): string {
  const configured = configuredOrigin(server);
  if (!server.forwarded_allow_ips.trim()) return configured;
  const reached = originOf(source);
  return reached && trustedOrigins(server).has(reached) ? reached : configured;
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
