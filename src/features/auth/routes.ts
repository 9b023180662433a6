/** /auth: password login, refresh, logout (GET /auth/providers lives with the providers, in oauth-login/routes.ts). */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { LoginBody, LogoutQuery, RefreshBody, TokenResponse } from "./model.ts";
import { login, logout, refresh } from "./service.ts";
import { clearAuthCookies, REFRESH_COOKIE, setAuthCookies } from "./cookies.ts";

const ErrorBody = t.Object({ detail: t.Unknown() });

export function authRoutes(ctx: AppContext) {
  return new Elysia({ name: "imbi.auth-routes", prefix: "/auth" })
    .use(ctx.auth)
    .post("/login", async (c) => {
      const tokens = await login(ctx, c.body, requestMeta(c));
      setAuthCookies(c.cookie, ctx.settings, ctx.prefix, tokens);
      return tokens;
    }, {
      rateLimit: "login",
      body: LoginBody,
      response: { 200: TokenResponse, 401: ErrorBody },
      detail: { tags: ["Auth"], summary: "Password login (401 + X-MFA-Required until mfa_code is given)" },
    })
    .post("/token/refresh", async (c) => {
      const presented = (c.cookie[REFRESH_COOKIE]?.value as string | undefined) || c.body?.refresh_token;
      const tokens = await refresh(ctx, presented, requestMeta(c));
      setAuthCookies(c.cookie, ctx.settings, ctx.prefix, tokens);
      return tokens;
    }, {
      rateLimit: "token_refresh",
      body: RefreshBody,
      response: { 200: TokenResponse, 401: ErrorBody },
      detail: { tags: ["Auth"], summary: "Rotate the refresh token (cookie, or body refresh_token)" },
    })
    .post("/logout", async (c) => {
      await logout(ctx, c.principal, c.query.revoke_all_sessions ?? false, requestMeta(c));
      clearAuthCookies(c.cookie, ctx.settings, ctx.prefix);
      c.set.status = 204;
    }, {
      rateLimit: "logout",
      auth: true,
      query: LogoutQuery,
      detail: { tags: ["Auth"], summary: "End this session, or all of them" },
    });
}
