/**
 * Authentication for the two byte-serving routes, which the SPA loads with `<img src>`:
 * the bearer token, or, when no Authorization header is sent, the `imbi_access_token`
 * cookie (reference-domain.md §1.2). Every other route authenticates through http/auth.ts.
 */
import type { AppContext } from "../../context.ts";
import { AuthenticationError, NotAllowedError } from "../../http/errors.ts";
import { requestMeta } from "../../http/request-context.ts";
import { authenticate, bearerToken } from "../auth/authenticate.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import { apiResourceUrl } from "../oauth-server/resources.ts";
import type { RequestOriginSource } from "../../http/urls.ts";

export const ACCESS_TOKEN_COOKIE = "imbi_access_token";

export function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      try {
        return decodeURIComponent(value) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function byteRouteAuth(ctx: AppContext) {
  const deps = { sql: ctx.infra.sql, auth: ctx.settings.auth, codec: ctx.codec };
  return async function authorize(context: RequestOriginSource, permission: string): Promise<Principal> {
    const { request } = context;
    const token = request.headers.has("authorization") ? bearerToken(request) : cookieValue(request, ACCESS_TOKEN_COOKIE);
    if (!token) throw new AuthenticationError("Missing authentication credentials");
    // Like every API route: a token bound to another resource (e.g. /mcp) is refused.
    const principal = await authenticate(deps, token, { resource: apiResourceUrl(ctx.settings.server, context) });
    if (principal.authMethod === "api_key") await ctx.rateLimits.limitApiKey(principal, request);
    if (!hasPermission(principal, permission)) {
      const meta = requestMeta(context);
      ctx.events.emit({
        type: "permission.denied", outcome: "failure", actor_type: principal.kind, actor_id: principal.id,
        actor_name: principal.name, ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
        detail: { permission, organization: null, path: new URL(request.url).pathname },
      });
      throw new NotAllowedError(`Permission denied: ${permission} required`);
    }
    return principal;
  };
}
