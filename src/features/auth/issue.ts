/**
 * Minting an access + refresh pair inside a session. A new session counts against
 * IMBI_AUTH_MAX_CONCURRENT_SESSIONS: past the limit the owner's oldest sessions end.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import { newId, newJti } from "../../lib/ids.ts";
import type { TokenClaims, TokenCodec } from "./tokens.ts";
import { activeSessions, createSession, recordTokens, revokeSessions, touchSession, type SessionOwner } from "./sessions-repo.ts";

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
}

export interface IssueDeps {
  sql: Database;
  auth: Settings["auth"];
  codec: TokenCodec;
  events: EventBus;
}

export interface IssueRequest {
  owner: SessionOwner;
  /** The JWT `sub`: email or service-account slug. */
  subject: string;
  authMethod: string;
  /** Continue this session (refresh); omitted = start a new one. */
  sessionId?: string;
  /** The client credential a client_credentials session was started with. */
  clientId?: string;
  /** Extra claims copied into both tokens (auth_method, scope; aud and client_id for OAuth clients). */
  claims?: Pick<TokenClaims, "auth_method" | "scope" | "aud" | "client_id">;
  meta: RequestMeta;
}

export async function issueTokens(deps: IssueDeps, request: IssueRequest): Promise<TokenResponse> {
  const { auth } = deps;
  const now = new Date();
  const accessExpires = new Date(now.getTime() + auth.access_token_expire_seconds * 1000);
  const refreshExpires = new Date(now.getTime() + auth.refresh_token_expire_seconds * 1000);
  const sessionId = request.sessionId ?? newId();
  if (request.sessionId) {
    await touchSession(deps.sql, sessionId, refreshExpires);
  } else {
    await createSession(deps.sql, {
      id: sessionId, owner: request.owner, authMethod: request.authMethod, expiresAt: refreshExpires,
      ip: request.meta.ip, userAgent: request.meta.userAgent, clientId: request.clientId,
    });
    await evictOldestSessions(deps, request.owner, request.meta);
  }
  const access = { jti: newJti(), type: "access" as const };
  const refresh = { jti: newJti(), type: "refresh" as const };
  const [accessToken, refreshToken] = await Promise.all([
    deps.codec.sign({ sub: request.subject, ...access, ...request.claims }, now, auth.access_token_expire_seconds),
    deps.codec.sign({ sub: request.subject, ...refresh, ...request.claims }, now, auth.refresh_token_expire_seconds),
  ]);
  await recordTokens(deps.sql, sessionId, [
    { ...access, issuedAt: now, expiresAt: accessExpires },
    { ...refresh, issuedAt: now, expiresAt: refreshExpires },
  ]);
  return { access_token: accessToken, refresh_token: refreshToken, token_type: "bearer", expires_in: auth.access_token_expire_seconds };
}

async function evictOldestSessions(deps: IssueDeps, owner: SessionOwner, meta: RequestMeta): Promise<void> {
  const live = await activeSessions(deps.sql, owner, deps.auth.session_timeout_seconds);
  const excess = live.length - deps.auth.max_concurrent_sessions;
  if (excess <= 0) return;
  const evicted = live.slice(0, excess).map((s) => s.id);
  await revokeSessions(deps.sql, evicted, "evicted: concurrent session limit");
  deps.events.emit({
    type: "session.evicted", outcome: "success", actor_type: owner.kind, actor_id: owner.id,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    detail: { sessions: evicted.length, limit: deps.auth.max_concurrent_sessions },
  });
}
