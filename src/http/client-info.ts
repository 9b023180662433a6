/**
 * Who is calling, as far as we can trust it. X-Forwarded-For/-Proto/-Host are honoured
 * only when the TCP peer is a trusted proxy (IMBI_API_FORWARDED_ALLOW_IPS); the client IP
 * is then the right-most address in X-Forwarded-For that is not itself a trusted proxy,
 * which a client cannot spoof by prepending entries.
 */
import type { IpMatcher } from "../lib/ip.ts";

export interface ClientInfo {
  ip: string;
  scheme: "http" | "https";
  host: string;
}

function firstValue(header: string | null): string | undefined {
  return header?.split(",")[0]?.trim() || undefined;
}

export function resolveClient(request: Request, peerIp: string, trusted: IpMatcher): ClientInfo {
  const url = new URL(request.url);
  const direct: ClientInfo = {
    ip: peerIp.replace(/^::ffff:/, ""),
    scheme: url.protocol === "https:" ? "https" : "http",
    host: request.headers.get("host") ?? url.host,
  };
  if (!peerIp || !trusted.matches(peerIp)) return direct;

  const chain = (request.headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  let ip = direct.ip;
  for (let i = chain.length - 1; i >= 0; i--) {
    ip = chain[i]!;
    if (!trusted.matches(ip)) break;
  }
  const proto = firstValue(request.headers.get("x-forwarded-proto"));
  return {
    ip,
    scheme: proto === "https" || proto === "http" ? proto : direct.scheme,
    host: firstValue(request.headers.get("x-forwarded-host")) ?? direct.host,
  };
}
