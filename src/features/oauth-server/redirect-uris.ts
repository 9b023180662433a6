/**
 * Redirect URIs (D5): registration accepts https, or http on a loopback host for native
 * clients, never with a fragment or credentials. At /authorize a redirect URI must equal a
 * registered one exactly, except that for loopback IP literals the port may differ
 * (RFC 8252 §7.3: native MCP clients listen on a random port). `localhost` matches exactly.
 */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const LOOPBACK_IPS = new Set(["127.0.0.1", "[::1]"]);
const MAX_LENGTH = 2000;

/** Why a redirect URI cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_LENGTH) return "is too long";
  if (/\s/.test(uri)) return "contains whitespace";
  if (uri.includes("#")) return "must not contain a fragment";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not an absolute URL";
  }
  if (url.username || url.password) return "must not contain credentials";
  if (url.protocol === "https:" && url.hostname) return undefined;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return "must be https, or http on a loopback host";
}

function withoutPort(url: URL): string {
  const copy = new URL(url.href);
  copy.port = "";
  return copy.href;
}

export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || !LOOPBACK_IPS.has(url.hostname)) return false;
  // Only the port may differ, and the rest must survive parsing unchanged (no normalisation tricks).
  if (url.href !== requested && url.href !== `${requested}/`) return false;
  const target = withoutPort(url);
  return registered.some((candidate) => {
    try {
      const reg = new URL(candidate);
      return reg.protocol === "http:" && LOOPBACK_IPS.has(reg.hostname) && withoutPort(reg) === target;
    } catch {
      return false;
    }
  });
}
