/**
 * Fetching a document at a URL a client chose (Client ID Metadata Documents) without
 * becoming a proxy into our network (SSRF): https only; every address the host resolves to
 * must be public, checked inside the connection's own DNS lookup so the address we vet is
 * the address we connect to (no rebinding window); redirects are never followed; the body
 * is capped in size and the whole exchange in time.
 */
import https from "node:https";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { createIpMatcher } from "../../lib/ip.ts";

/** Special-purpose ranges (IANA registries): loopback, private, link-local, CGNAT, multicast, documentation, NAT64/6to4 (they embed IPv4). */
const NON_PUBLIC = createIpMatcher([
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
  "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
  "224.0.0.0/4", "240.0.0.0/4",
  "::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
  "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
].join(","));

export function isPublicAddress(address: string): boolean {
  return isIP(address.replace(/^\[|\]$/g, "")) !== 0 && !NON_PUBLIC.matches(address);
}

export interface SafeFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Tests only (see overrides.ts): lets a loopback test server through. Never set in production. */
  allowAddress?: (address: string) => boolean;
  /** Tests only: trust this CA (a self-signed test server). Production uses the system store. */
  ca?: string;
}

export class FetchRefusedError extends Error {}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export async function fetchJsonSafely(target: string, options: SafeFetchOptions): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new FetchRefusedError("not a URL");
  }
  if (url.protocol !== "https:") throw new FetchRefusedError("only https URLs are fetched");
  const allowed = (address: string) => isPublicAddress(address) || (options.allowAddress?.(address) ?? false);
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(literal) && !allowed(literal)) throw new FetchRefusedError("the host is not a public address");

  // Every resolved address must be public: one private answer among public ones is still a rebinding attempt.
  const guardedLookup = (hostname: string, lookupOptions: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      if (!list.length || list.some((a) => !allowed(a.address))) {
        return callback(Object.assign(new FetchRefusedError("the host resolves to a non-public address"), { code: "EREFUSED" }), []);
      }
      if ((lookupOptions as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  const body = await new Promise<string>((resolve, reject) => {
    const request = https.get(url, {
      lookup: guardedLookup as never, agent: false, ca: options.ca,
      headers: { accept: "application/json", "user-agent": "Imbi OAuth client-metadata fetcher" },
    }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(new FetchRefusedError("redirects are not followed"));
      if (status !== 200) return fail(new FetchRefusedError(`the server answered ${status}`));
      const declared = Number(response.headers["content-length"] ?? 0);
      if (declared > options.maxBytes) return fail(new FetchRefusedError("the document is too large"));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return fail(new FetchRefusedError("the document is too large"));
        chunks.push(chunk);
      });
      response.on("end", () => finish(() => resolve(Buffer.concat(chunks).toString("utf8"))));
      response.on("error", (error) => fail(error));
    });
    const timer = setTimeout(() => fail(new FetchRefusedError("timed out")), options.timeoutMs);
    let settled = false;
    function finish(action: () => void) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    }
    function fail(error: Error) {
      finish(() => reject(error instanceof FetchRefusedError ? error : new FetchRefusedError(error.message.slice(0, 200))));
      request.destroy();
    }
    request.on("error", (error) => fail(error));
  });
  try {
    return JSON.parse(body);
  } catch {
    throw new FetchRefusedError("the document is not JSON");
  }
}
