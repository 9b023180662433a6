/**
 * The state of one upstream login, kept in Valkey (D6: ephemeral state lives there) under
 * the `state` value sent to the IdP: the PKCE verifier, the nonce, where to return, the
 * callback URL used, and the hash of the browser-binding cookie. GETDEL makes each state
 * single-use across every replica, and the TTL bounds an abandoned login to 10 minutes.
 *
 * Binding: the browser that started the login holds a random HttpOnly cookie whose hash the
 * state records; a callback arriving in another browser (login CSRF: an attacker's code and
 * state pushed to a victim) is refused. The cookie is SameSite=Lax because the callback is
 * a cross-site top-level navigation from the IdP, which Strict cookies do not accompany.
 *
 * Nothing here falls back when Valkey is down: without single-use state the login fails
 * closed (503 at the start).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Valkey } from "../../infra/valkey.ts";
import { secretMatches, hashSecret } from "../../lib/secrets.ts";

export const STATE_TTL_SECONDS = 600;
export const BINDING_COOKIE = "imbi_oauth_binding";
const KEY = "imbi:oauth-login:state:";
/** 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface LoginState {
  slug: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  redirectUri: string;
  bindingHash: string;
}

export const randomToken = (): string => randomBytes(32).toString("base64url");
export const isToken = (value: unknown): value is string => typeof value === "string" && TOKEN.test(value);

export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** The binding cookie's value to keep (a well-formed one is reused, so parallel tabs each succeed). */
export function bindingFor(cookie: unknown): string {
  return isToken(cookie) ? cookie : randomToken();
}

export async function saveState(valkey: Valkey, state: string, value: Omit<LoginState, "bindingHash">, binding: string): Promise<void> {
  const record: LoginState = { ...value, bindingHash: hashSecret(binding) };
  await valkey.set(KEY + state, JSON.stringify(record), "EX", STATE_TTL_SECONDS);
}

/** Consumes the state (whatever happens next, it cannot be replayed). Undefined when unknown or expired. */
export async function takeState(valkey: Valkey, state: unknown): Promise<LoginState | undefined> {
  if (!isToken(state)) return undefined;
  const raw = await valkey.getdel(KEY + state);
  return raw ? (JSON.parse(raw) as LoginState) : undefined;
}

export function boundToBrowser(state: { bindingHash: string }, cookie: unknown): boolean {
  return isToken(cookie) && secretMatches(cookie, state.bindingHash);
}
