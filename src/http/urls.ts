/** Where the API lives: IMBI_API_URL's path is the prefix of every API route. */
import type { Settings } from "../config/settings.ts";

export function apiPrefix(server: Settings["server"]): string {
  if (!server.url) return "";
  return new URL(server.url).pathname.replace(/\/+$/, "");
}

/** IMBI_API_URL, or http://{host}:{port} for development loopback. */
export function publicBaseUrl(server: Settings["server"]): string {
  return (server.url || `http://${server.host}:${server.port}`).replace(/\/+$/, "");
}

// Settings never change after startup: the origins are derived once per settings object,
// not on every request that authenticates (the auth macro derives the API's resource URL).
const configured = new WeakMap<Settings["server"], string>();
const trustedSets = new WeakMap<Settings["server"], Set<string>>();

/** IMBI_API_URL's origin (scheme://host[:port]). */
export function configuredOrigin(server: Settings["server"]): string {
  let origin = configured.get(server);
  if (origin === undefined) configured.set(server, origin = new URL(publicBaseUrl(server)).origin);
  return origin;
}

function normalizedOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined; // not an origin (e.g. "*"): never trusted
  }
}

/** The origins this server may present itself under: IMBI_API_URL's and the CORS-allowed ones. */
export function trustedOrigins(server: Settings["server"]): ReadonlySet<string> {
  let trusted = trustedSets.get(server);
  if (!trusted) {
    const cors = server.cors_allowed_origins.map(normalizedOrigin).filter((o): o is string => !!o);
    trustedSets.set(server, trusted = new Set([configuredOrigin(server), ...cors]));
  }
  return trusted;
}

/** The part of a request the derivation reads: the URL and the client info request-context derived. */
export interface RequestOriginSource {
  request: Request;
  client?: { scheme: string; host: string };
}

/**
 * The origin the caller reached when it is a trusted one, else IMBI_API_URL's. X-Forwarded-*
 * only count from trusted proxies (http/client-info.ts), so a spoofed Host cannot steer links
 * or redirects off-origin.
 */
export function trustedRequestOrigin(server: Settings["server"], source: RequestOriginSource): string {
  // `client` is derived for every request by http/request-context.ts (not in the route's type).
  const client = source.client;
  const reached = client ? normalizedOrigin(`${client.scheme}://${client.host}`) : undefined;
  return reached && trustedOrigins(server).has(reached) ? reached : configuredOrigin(server);
}
