/**
 * The upstream login (reference-auth §10.3–10.4, ADR 0009 providers): start (state, PKCE
 * S256, nonce, kept single-use in Valkey and bound to the browser), callback (code exchange,
 * profile, domain gate, user resolution), then either the identity is linked (provider
 * tokens encrypted) and a session starts or, for a user with MFA, a pending login that
 * POST /auth/oauth/mfa completes with a code before linking and issuing anything. Callback failures never explain themselves to the browser (it gets
 * `authentication_failed`); the reason goes to the audit log.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Logger } from "../../infra/logger.ts";
import type { Valkey } from "../../infra/valkey.ts";
import type { Fernet } from "../../lib/fernet.ts";
import { errorMessage } from "../../infra/retry.ts";
import { AuthenticationError, HttpError, NotFoundError, UnavailableError } from "../../http/errors.ts";
import { issueTokens, type TokenResponse } from "../auth/issue.ts";
import type { TokenCodec } from "../auth/tokens.ts";
import { ensureDefaultMembership } from "../auth/membership.ts";
import { findUserById } from "../auth/principal-repo.ts";
import { loginMfa } from "../mfa/service.ts";
import type { Provider, ProviderStore } from "../oauth-providers/service.ts";
import { issuerOf, type OidcClient } from "./oidc.ts";
import { githubAuthorizationUrl, githubExchange } from "./github.ts";
import { domainAllowed, UpstreamError } from "./profile.ts";
import { boundToBrowser, pkceChallenge, randomToken, saveState, takeState } from "./state.ts";
import { linkIdentity, LoginRefused, resolveUser, type ResolveDeps } from "./resolve-user.ts";
import { recordLastLogin } from "./identities-repo.ts";
import { consumePendingMfa, countFailedAttempt, findPendingMfa, savePendingMfa } from "./pending-mfa.ts";

export interface OAuthLoginDeps {
  sql: Database;
  valkey: Valkey;
  fernet: Fernet;
  events: EventBus;
  logger: Logger;
  settings: Settings;
  codec: TokenCodec;
  store: ProviderStore;
  oidc: OidcClient;
}

export type CallbackOutcome =
  | { kind: "tokens"; tokens: TokenResponse; returnTo: string }
  | { kind: "mfa"; mfaToken: string; returnTo: string }
  | { kind: "error"; error: string; returnTo?: string };

/** IdP error codes are passed on when they look like RFC 6749 codes; anything else is generic. */
const IDP_ERROR = /^[a-z_]{1,64}$/;

function emit(deps: OAuthLoginDeps, type: string, outcome: "success" | "failure", meta: RequestMeta, detail: Record<string, unknown>, user?: { id: string; email: string }) {
  deps.events.emit({
    type, outcome, actor_type: user ? "user" : "anonymous", actor_id: user?.id, actor_name: user?.email,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail,
  });
}

async function enabledProvider(deps: OAuthLoginDeps, slug: string): Promise<Provider | undefined> {
  const provider = await deps.store.find(slug);
  return provider?.enabled && provider.client_id ? provider : undefined;
}

/** The IdP authorization URL to send the browser to. */
export async function startLogin(
  deps: OAuthLoginDeps, input: { slug: string; returnTo: string; redirectUri: string; binding: string },
): Promise<string> {
  const provider = await enabledProvider(deps, input.slug);
  if (!provider) throw new NotFoundError(`Invalid provider: ${input.slug}`);
  const state = randomToken();
  const codeVerifier = randomToken();
  const nonce = randomToken();
  const request = { redirectUri: input.redirectUri, state, nonce, codeChallenge: pkceChallenge(codeVerifier) };
  let url: string;
  try {
    url = provider.type === "github" ? githubAuthorizationUrl(provider, request) : await deps.oidc.authorizationUrl(provider, request);
  } catch (error) {
    deps.logger.warn({ provider: provider.slug, err: errorMessage(error) }, "oauth login: provider unavailable");
    throw new HttpError(502, `Login provider '${provider.slug}' is unavailable`);
  }
  try {
    await saveState(deps.valkey, state, { slug: provider.slug, codeVerifier, nonce, returnTo: input.returnTo, redirectUri: input.redirectUri }, input.binding);
  } catch (error) {
    deps.logger.warn({ dependency: "valkey", err: errorMessage(error) }, "oauth login: state not stored");
    throw new UnavailableError("Login state store unavailable; try again later");
  }
  return url;
}

export interface CallbackInput {
  slug: string;
  code?: string;
  state?: string;
  error?: string;
  /** RFC 9207: the issuer the authorization response says it came from. */
  iss?: string;
  bindingCookie: unknown;
  meta: RequestMeta;
}

export async function finishLogin(deps: OAuthLoginDeps, input: CallbackInput): Promise<CallbackOutcome> {
  let returnTo: string | undefined;
  const fail = (reason: string, error = "authentication_failed", user?: { id: string; email: string }): CallbackOutcome => {
    emit(deps, "oauth_login.failed", "failure", input.meta, { provider: input.slug, reason }, user);
    return { kind: "error", error, returnTo };
  };

  let state;
  try {
    state = await takeState(deps.valkey, input.state);
  } catch (error) {
    deps.logger.warn({ dependency: "valkey", err: errorMessage(error) }, "oauth login: state store unavailable");
    return fail("state_store_unavailable");
  }
  if (!state || state.slug !== input.slug) return fail("state_invalid");
  if (!boundToBrowser(state, input.bindingCookie)) return fail("browser_mismatch");
  returnTo = state.returnTo;
  if (input.error) return fail("provider_denied", IDP_ERROR.test(input.error) ? input.error : "authentication_failed");
  if (!input.code) return fail("code_missing");
  const provider = await enabledProvider(deps, input.slug);
  if (!provider) return fail("provider_disabled");
  // Mix-up defence: a response naming another issuer is not this provider's.
  if (input.iss !== undefined && provider.type !== "github" && input.iss.replace(/\/+$/, "") !== issuerOf(provider)) return fail("issuer_mismatch");

  let clientSecret;
  try {
    clientSecret = deps.store.clientSecret(provider);
  } catch {
    deps.logger.error({ provider: provider.slug }, "oauth login: the client secret does not decrypt (IMBI_AUTH_ENCRYPTION_KEY changed?)");
    return fail("client_secret_unreadable");
  }
  let result;
  try {
    const exchange = { code: input.code, redirectUri: state.redirectUri, codeVerifier: state.codeVerifier, nonce: state.nonce, clientSecret };
    result = provider.type === "github" ? await githubExchange(provider, exchange) : await deps.oidc.exchange(provider, exchange);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    deps.logger.warn({ provider: provider.slug, reason: error.reason, err: error.message }, "oauth login: provider exchange failed");
    return fail(error.reason);
  }
  const { profile, tokens } = result;
  if (!profile.email) return fail("email_missing");
  if (!domainAllowed(profile.email, provider.allowed_domains)) return fail("domain_not_allowed");

  let resolved;
  try {
    resolved = await resolveUser(resolveDeps(deps), provider.slug, { ...profile, email: profile.email }, tokens);
  } catch (error) {
    if (error instanceof LoginRefused) return fail(error.reason);
    throw error;
  }
  const { user, link } = resolved;

  if ((await loginMfa(mfaDeps(deps), user.id, undefined)) === "required") {
    try {
      const mfaToken = await savePendingMfa(deps.valkey, { userId: user.id, bindingHash: state.bindingHash, link });
      emit(deps, "oauth_login.mfa_required", "success", input.meta, { provider: provider.slug }, user);
      return { kind: "mfa", mfaToken, returnTo };
    } catch (error) {
      deps.logger.warn({ dependency: "valkey", err: errorMessage(error) }, "oauth login: pending MFA not stored");
      return fail("state_store_unavailable", "authentication_failed", user);
    }
  }
  if (!(await linkIdentity(resolveDeps(deps), user, link, input.meta))) return fail("identity_conflict", "authentication_failed", user);
  return { kind: "tokens", tokens: await signIn(deps, user, provider.slug, false, input.meta), returnTo };
}

const resolveDeps = (deps: OAuthLoginDeps): ResolveDeps => ({ sql: deps.sql, fernet: deps.fernet, events: deps.events, auth: deps.settings.auth });
const mfaDeps = (deps: OAuthLoginDeps) => ({ sql: deps.sql, fernet: deps.fernet, settings: deps.settings.auth });

async function signIn(deps: OAuthLoginDeps, user: { id: string; email: string }, slug: string, mfa: boolean, meta: RequestMeta): Promise<TokenResponse> {
  await ensureDefaultMembership(deps.sql, user.id);
  const tokens = await issueTokens(
    { sql: deps.sql, auth: deps.settings.auth, codec: deps.codec, events: deps.events },
    { owner: { kind: "user", id: user.id }, subject: user.email, authMethod: "oauth_login", meta },
  );
  await recordLastLogin(deps.sql, user.id);
  emit(deps, "oauth_login.succeeded", "success", meta, { provider: slug, mfa }, user);
  return tokens;
}

const MFA_REQUIRED = { "X-MFA-Required": "true", "WWW-Authenticate": "Bearer" };

/** POST /auth/oauth/mfa: the second factor of a pending upstream login. */
export async function completeMfaLogin(
  deps: OAuthLoginDeps, input: { mfaToken: string; code: string; bindingCookie: unknown; meta: RequestMeta },
): Promise<TokenResponse> {
  const invalidToken = () => new AuthenticationError("Invalid or expired MFA token");
  let pending;
  try {
    pending = await findPendingMfa(deps.valkey, input.mfaToken);
  } catch {
    throw new UnavailableError("Login state store unavailable; try again later");
  }
  if (!pending || !boundToBrowser(pending, input.bindingCookie)) throw invalidToken();
  const user = await findUserById(deps.sql, pending.userId);
  if (!user || !user.is_active || user.is_service_account) throw invalidToken();

  const outcome = await loginMfa(mfaDeps(deps), user.id, input.code);
  if (outcome === "invalid") {
    await countFailedAttempt(deps.valkey, input.mfaToken).catch(() => {});
    emit(deps, "oauth_login.failed", "failure", input.meta, { provider: pending.link.slug, reason: "invalid_mfa_code" }, user);
    throw new HttpError(401, "Invalid MFA code", MFA_REQUIRED);
  }
  if (!(await consumePendingMfa(deps.valkey, input.mfaToken))) throw invalidToken();
  if (!(await linkIdentity(resolveDeps(deps), user, pending.link, input.meta))) {
    emit(deps, "oauth_login.failed", "failure", input.meta, { provider: pending.link.slug, reason: "identity_conflict" }, user);
    throw new AuthenticationError("This provider account is linked to another user");
  }
  return signIn(deps, user, pending.link.slug, outcome === "ok", input.meta);
}
