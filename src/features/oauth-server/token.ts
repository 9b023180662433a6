/**
 * POST {prefix}/auth/token (RFC 6749 §3.2): a form-encoded request, dispatched by
 * grant_type to one handler in grants/. Every answer carries Cache-Control: no-store;
 * every failure is an RFC 6749 error body (errors.ts), never {"detail"} and never a 500
 * for anything the client sent. (The one exception is the 10/minute per-IP limit, whose 429
 * is the D2 `{"detail"}` + Retry-After: RFC 6749 defines no code for it.)
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { readClientAuthentication } from "./client-auth.ts";
import { invalidRequest, OAuthError, unsupportedGrantType } from "./errors.ts";
import type { GrantHandler, TokenParams } from "./grant.ts";
import { authorizationCodeGrant } from "./grants/authorization-code.ts";
import { clientCredentialsGrant } from "./grants/client-credentials.ts";
import { refreshTokenGrant } from "./grants/refresh-token.ts";

/** The grant table. */
const GRANTS: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

const FORM = "application/x-www-form-urlencoded";

/** Parameters must not repeat (RFC 6749 §3.2); empty values count as absent (§3.1). */
export function readTokenParams(contentType: string | null, body: string): TokenParams {
  if (contentType?.split(";")[0]?.trim().toLowerCase() !== FORM) throw invalidRequest(`The request body must be ${FORM}`);
  const params: TokenParams = new Map();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (seen.has(name)) throw invalidRequest(`Parameter '${name}' is included more than once`);
    seen.add(name);
    if (value !== "") params.set(name, value);
  }
  return params;
}

export const TokenSuccessBody = t.Object({
  access_token: t.String(),
  token_type: t.Literal("bearer"),
  expires_in: t.Integer(),
  scope: t.Nullable(t.String()),
  refresh_token: t.String(),
});
const OAuthErrorBody = t.Object({ error: t.String(), error_description: t.String() });

export function oauthTokenRoutes(ctx: AppContext) {
  return new Elysia({ name: "imbi.oauth-token", prefix: "/auth" })
    .use(ctx.auth)
    .post("/token", async (c) => {
      c.set.headers["cache-control"] = "no-store";
      c.set.headers["pragma"] = "no-cache";
      const meta = requestMeta(c);
      let grantType: string | undefined;
      let clientId: string | undefined;
      try {
        const params = readTokenParams(c.request.headers.get("content-type"), await c.request.text());
        grantType = params.get("grant_type");
        clientId = params.get("client_id");
        if (!grantType) throw invalidRequest("Missing grant_type parameter");
        const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
        if (!grant) throw unsupportedGrantType(`Unsupported grant_type: ${grantType.slice(0, 64)}`);
        const client = readClientAuthentication(c.request, params);
        clientId = client.clientId;
        return await grant({ ctx, params, client, meta });
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        ctx.events.emit({
          type: "token.failed", outcome: "failure", actor_type: "anonymous", actor_name: clientId?.slice(0, 128),
          ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
          detail: { grant_type: grantType?.slice(0, 64) ?? null, error: error.error, description: error.description },
        });
        c.set.status = error.status;
        Object.assign(c.set.headers, error.headers);
        return error.toJSON();
      }
    }, {
      parse: "none",
      rateLimit: "oauth_token",
      response: { 200: TokenSuccessBody, 400: OAuthErrorBody, 401: OAuthErrorBody },
      detail: {
        tags: ["Auth"],
        summary: "OAuth 2.0 token endpoint (authorization_code with PKCE and refresh_token for public clients; client_credentials with HTTP Basic or body client authentication)",
      },
    });
}
