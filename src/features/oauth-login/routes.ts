/**
 * The login page's provider list and the upstream login: GET /auth/providers,
 * GET /auth/oauth/{slug} (to the IdP), GET /auth/oauth/{slug}/callback (back to the SPA),
 * POST /auth/oauth/mfa (the second factor, when the user has MFA).
 *
 * The browser returns to the SPA as in the reference: a 307 to the validated return URL
 * with `#access_token=…&token_type=bearer&expires_in=…` and both auth cookies (the refresh
 * token never in the URL); for an MFA user `#mfa_required=true&mfa_token=…` and no tokens;
 * on failure `?error=authentication_failed` (or the IdP's own error code).
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { InputError } from "../../http/errors.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ProvidersResponse, TokenResponse } from "../auth/model.ts";
import { setAuthCookies } from "../auth/cookies.ts";
import { ErrorBody, SlugParams } from "../oauth-providers/model.ts";
import type { ProviderStore } from "../oauth-providers/service.ts";
import { createOrigins, withFragment, withQuery } from "./origins.ts";
import { createOidcClient } from "./oidc.ts";
import { BINDING_COOKIE, bindingFor, STATE_TTL_SECONDS } from "./state.ts";
import { completeMfaLogin, finishLogin, startLogin, type OAuthLoginDeps } from "./service.ts";

const FAILURE_PAGE = "/auth/callback";
const QUERY_VALUE = t.String({ maxLength: 4096 });
const tags = ["Auth"];

const LOCAL_PROVIDER = { id: "local", type: "password" as const, name: "Email/Password", enabled: true, auth_url: null, icon: "lock" };

export function oauthLoginRoutes(ctx: AppContext, store: ProviderStore) {
  const deps: OAuthLoginDeps = {
    sql: ctx.infra.sql, valkey: ctx.infra.valkey, fernet: ctx.fernet, events: ctx.events, logger: ctx.logger,
    settings: ctx.settings, codec: ctx.codec, store, oidc: createOidcClient(),
  };
  const origins = createOrigins(ctx.settings.server);
  const secure = ctx.settings.server.environment !== "development";
  const bindingCookie = (maxAge: number, value: string) => ({
    value, path: `${ctx.prefix}/auth/oauth`, httpOnly: true, sameSite: "lax" as const, secure, maxAge,
  });

  return new Elysia({ name: "imbi.oauth-login", prefix: "/auth" })
    .use(ctx.auth)
    .get("/providers", async () => ({
      providers: [
        LOCAL_PROVIDER,
        ...(await store.enabled()).map((p) => ({ id: p.slug, type: "oauth" as const, name: p.name, enabled: true, auth_url: `/auth/oauth/${p.slug}`, icon: p.icon })),
      ],
      default_redirect: "/dashboard",
    }), { response: ProvidersResponse, detail: { tags, summary: "Login methods the SPA offers: local password and every enabled provider" } })
    .get("/oauth/:slug", async (c) => {
      const returnTo = origins.checkReturnTo(c.query.redirect_uri);
      if (!returnTo) throw new InputError("Invalid redirect_uri");
      const binding = bindingFor(c.cookie[BINDING_COOKIE]?.value);
      const url = await startLogin(deps, {
        slug: c.params.slug, returnTo, binding,
        redirectUri: `${origins.originOf(c)}${ctx.prefix}/auth/oauth/${c.params.slug}/callback`,
      });
      c.cookie[BINDING_COOKIE]!.set(bindingCookie(STATE_TTL_SECONDS, binding));
      c.set.status = 307;
      c.set.headers.location = url;
    }, {
      rateLimit: "oauth_init",
      params: SlugParams,
      query: t.Object({ redirect_uri: t.Optional(QUERY_VALUE) }),
      response: { 307: t.Void(), 400: ErrorBody, 404: ErrorBody, 422: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      detail: { tags, summary: "Start a login with a provider (redirects to it); redirect_uri is where the SPA wants the tokens" },
    })
    .get("/oauth/:slug/callback", async (c) => {
      const outcome = await finishLogin(deps, {
        slug: c.params.slug, code: c.query.code, state: c.query.state, error: c.query.error, iss: c.query.iss,
        bindingCookie: c.cookie[BINDING_COOKIE]?.value, meta: requestMeta(c),
      });
      c.set.status = 307;
      if (outcome.kind === "error") {
        c.set.headers.location = withQuery(outcome.returnTo ?? FAILURE_PAGE, { error: outcome.error });
        return;
      }
      if (outcome.kind === "mfa") {
        // The MFA step needs the binding for its own lifetime, however late in the state's the callback came.
        c.cookie[BINDING_COOKIE]!.set(bindingCookie(STATE_TTL_SECONDS, String(c.cookie[BINDING_COOKIE]!.value)));
        c.set.headers.location = withFragment(outcome.returnTo, { mfa_required: "true", mfa_token: outcome.mfaToken });
        return;
      }
      // The binding cookie stays: other tabs may be in the middle of their own login; it expires on its own.
      setAuthCookies(c.cookie, ctx.settings, ctx.prefix, outcome.tokens);
      c.set.headers.location = withFragment(outcome.returnTo, {
        access_token: outcome.tokens.access_token, token_type: "bearer", expires_in: String(outcome.tokens.expires_in),
      });
    }, {
      rateLimit: "oauth_callback",
      params: SlugParams,
      query: t.Object({
        code: t.Optional(QUERY_VALUE), state: t.Optional(QUERY_VALUE), error: t.Optional(QUERY_VALUE), iss: t.Optional(QUERY_VALUE),
      }),
      response: { 307: t.Void(), 422: ErrorBody },
      detail: { tags, summary: "The provider's redirect back: signs the user in and returns the browser to the SPA" },
    })
    .post("/oauth/mfa", async (c) => {
      const tokens = await completeMfaLogin(deps, {
        mfaToken: c.body.mfa_token, code: c.body.mfa_code, bindingCookie: c.cookie[BINDING_COOKIE]?.value, meta: requestMeta(c),
      });
      setAuthCookies(c.cookie, ctx.settings, ctx.prefix, tokens);
      return tokens;
    }, {
      rateLimit: "login",
      body: t.Object({ mfa_token: t.String({ minLength: 1, maxLength: 128 }), mfa_code: t.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: TokenResponse, 401: ErrorBody, 422: ErrorBody, 503: ErrorBody },
      detail: { tags, summary: "Finish a provider login that needs a second factor (mfa_token from the callback's fragment)" },
    });
}
