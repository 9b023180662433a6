/**
 * Password login, refresh with rotation and reuse detection, logout. Failures are emitted
 * as events (audit log) and answered with deliberately uninformative messages.
 */
import type { AppContext } from "../../context.ts";
import type { RequestMeta } from "../../infra/events.ts";
import { AuthenticationError, HttpError } from "../../http/errors.ts";
import { loginMfa } from "../mfa/service.ts";
import { issueTokens, type TokenResponse } from "./issue.ts";
import { checkSession } from "./authenticate.ts";
import type { Principal } from "./principal.ts";
import { findServiceAccountById, findUserByEmail, findUserById } from "./principal-repo.ts";
import { consumeRefreshToken, findToken, revokeSessions, sessionIdsOf } from "./sessions-repo.ts";
import { ensureDefaultMembership } from "./membership.ts";

// Verifying against a real Argon2id hash for unknown users keeps response time from revealing accounts.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= Bun.password.hash("imbi-dummy-password", { algorithm: "argon2id" }));

const issueDeps = (ctx: AppContext) => ({ sql: ctx.infra.sql, auth: ctx.settings.auth, codec: ctx.codec, events: ctx.events });

export async function login(
  ctx: AppContext, body: { email: string; password: string; mfa_code?: string | null }, meta: RequestMeta,
): Promise<TokenResponse> {
  const { sql } = ctx.infra;
  const base = { ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId };
  const user = await findUserByEmail(sql, body.email);
  const eligible = user && user.is_active && !user.is_service_account && user.password_hash;
  const valid = await Bun.password.verify(body.password, eligible ? user.password_hash! : await dummy()).catch(() => false);
  if (!eligible || !valid) {
    ctx.events.emit({ ...base, type: "login.failed", outcome: "failure", actor_type: user ? "user" : "anonymous", actor_id: user?.id, actor_name: body.email, detail: { reason: "invalid_credentials" } });
    throw new AuthenticationError("Invalid credentials");
  }
  const mfa = await loginMfa({ sql, fernet: ctx.fernet, settings: ctx.settings.auth }, user.id, body.mfa_code);
  if (mfa === "required") throw new HttpError(401, "MFA code required", { "X-MFA-Required": "true", "WWW-Authenticate": "Bearer" });
  if (mfa === "invalid") {
    ctx.events.emit({ ...base, type: "login.failed", outcome: "failure", actor_type: "user", actor_id: user.id, actor_name: user.email, detail: { reason: "invalid_mfa_code" } });
    throw new HttpError(401, "Invalid MFA code", { "X-MFA-Required": "true", "WWW-Authenticate": "Bearer" });
  }
  await ensureDefaultMembership(sql, user.id);
  const tokens = await issueTokens(issueDeps(ctx), { owner: { kind: "user", id: user.id }, subject: user.email, authMethod: "password", meta });
  await sql`update users set last_login = now() where id = ${user.id}`;
  ctx.events.emit({ ...base, type: "login.succeeded", outcome: "success", actor_type: "user", actor_id: user.id, actor_name: user.email, detail: { mfa: mfa === "ok" } });
  return tokens;
}

export async function refresh(ctx: AppContext, token: string | undefined, meta: RequestMeta): Promise<TokenResponse> {
  const { sql } = ctx.infra;
  if (!token) throw new AuthenticationError("Missing refresh token");
  const claims = await ctx.codec.verify(token, "refresh");
  // An OAuth client's pair is bound to a resource (aud); rotated here it would come back
  // unbound and valid everywhere. Checked before the token is consumed, so it still works there.
  if (claims.client_id || claims.aud) {
    throw new AuthenticationError("This refresh token belongs to an OAuth client; use POST /auth/token with grant_type=refresh_token");
  }
  const row = await findToken(sql, claims.jti);
  if (!row || row.token_type !== "refresh") throw new AuthenticationError("Refresh token has been revoked");
  if (!(await consumeRefreshToken(sql, claims.jti))) {
    // A used refresh token came back: someone holds a copy. End the whole session.
    await revokeSessions(sql, [row.session_id], "refresh token reused");
    ctx.events.emit({
      type: "refresh_token.reused", outcome: "failure", actor_type: row.user_id ? "user" : "service_account",
      actor_id: row.user_id ?? row.service_account_id ?? undefined, actor_name: claims.sub,
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { session_id: row.session_id },
    });
    throw new AuthenticationError("Refresh token has been revoked");
  }
  await checkSession({ sql, auth: ctx.settings.auth, codec: ctx.codec }, { ...row, token_revoked_at: null });
  const owner = row.user_id
    ? await findUserById(sql, row.user_id).then((u) => (u?.is_active ? { kind: "user" as const, id: u.id, subject: u.email } : undefined))
    : await findServiceAccountById(sql, row.service_account_id!).then((a) => (a?.is_active ? { kind: "service_account" as const, id: a.id, subject: a.slug } : undefined));
  if (!owner) throw new AuthenticationError(row.user_id ? "User not found or inactive" : "Service account not found or inactive");
  const tokens = await issueTokens(issueDeps(ctx), {
    owner, subject: owner.subject, authMethod: row.auth_method, sessionId: row.session_id, meta,
    // The rotated pair keeps what the original was limited to: dropping `scope` would widen it.
    claims: {
      ...(owner.kind === "service_account" ? { auth_method: "client_credentials" } : row.auth_method === "oauth" ? { auth_method: "oauth" } : {}),
      ...(claims.scope ? { scope: claims.scope } : {}),
    },
  });
  ctx.events.emit({ type: "token.refreshed", outcome: "success", actor_type: owner.kind, actor_id: owner.id, actor_name: owner.subject, ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId });
  return tokens;
}

/** Ends this session (the JWT's), or every session of the principal. */
export async function logout(ctx: AppContext, principal: Principal, revokeAll: boolean, meta: RequestMeta): Promise<void> {
  const { sql } = ctx.infra;
  const sessions = revokeAll
    ? await sessionIdsOf(sql, { kind: principal.kind, id: principal.id })
    : principal.sessionId ? [principal.sessionId] : [];
  await revokeSessions(sql, sessions, revokeAll ? "logout: all sessions" : "logout");
  ctx.events.emit({
    type: "session.ended", outcome: "success", actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { all_sessions: revokeAll, sessions: sessions.length },
  });
}
