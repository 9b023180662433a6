/**
 * Where the upstream login sends the browser, derived per request from trusted hosts only
 * (seed "Multi-host deployments"): the request's origin counts when it is the origin of
 * IMBI_API_URL or a CORS-allowed origin (X-Forwarded-Proto/-Host count only from trusted
 * proxies, see http/client-info.ts); any other Host falls back to IMBI_API_URL's origin.
 */
import type { Settings } from "../../config/settings.ts";
import { trustedOrigins, trustedRequestOrigin } from "../../http/urls.ts";

export const DEFAULT_RETURN_TO = "/dashboard";
const UNSAFE = /[\s\u0000-\u001f\u007f#\\]/;

export function createOrigins(server: Settings["server"]) {
  const trusted = trustedOrigins(server);

  return {
    /** The trusted origin of this request, else IMBI_API_URL's. */
    originOf(ctx: { request: Request }): string {
      return trustedRequestOrigin(server, ctx);
    },

    /**
     * Where tokens may be delivered: a same-origin path, or an absolute http(s) URL on a
     * trusted origin. Undefined when refused.
     */
    checkReturnTo(value: string | undefined): string | undefined {
      if (value === undefined || value === "") return DEFAULT_RETURN_TO;
      if (value.length > 2048 || UNSAFE.test(value)) return undefined;
      if (value.startsWith("/")) return value.startsWith("//") ? undefined : value;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return undefined;
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
      if (url.username || url.password) return undefined;
      return trusted.has(url.origin) ? value : undefined;
    },
  };
}

export type Origins = ReturnType<typeof createOrigins>;

/** `url` with `fragment` (tokens) or `query` (an error code) added; the browser keeps fragments to itself. */
export function withFragment(url: string, params: Record<string, string>): string {
  return `${url}#${new URLSearchParams(params)}`;
}

export function withQuery(url: string, params: Record<string, string>): string {
  return `${url}${url.includes("?") ? "&" : "?"}${new URLSearchParams(params)}`;
}
