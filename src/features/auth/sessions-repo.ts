/**
 * Sessions (one per refresh-token family) and the tokens issued in them. Every access and
 * refresh token has a row, so revoking a token, a session or all of a principal's sessions
 * takes effect on the next request.
 */
import type { Database } from "../../infra/postgres.ts";

export interface SessionOwner {
  kind: "user" | "service_account";
  id: string;
}

export interface SessionRow {
  id: string;
  user_id: string | null;
  service_account_id: string | null;
  auth_method: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface TokenLookup extends SessionRow {
  session_id: string;
  token_type: "access" | "refresh";
  token_revoked_at: Date | null;
  issued_at: Date;
}

const ownerColumn = (owner: SessionOwner) => (owner.kind === "user" ? "user_id" : "service_account_id");

export async function createSession(
  sql: Database, session: { id: string; owner: SessionOwner; authMethod: string; expiresAt: Date; ip?: string; userAgent?: string; clientId?: string },
): Promise<void> {
  await sql`insert into sessions ${sql({
    id: session.id,
    client_id: session.clientId ?? null,
    [ownerColumn(session.owner)]: session.owner.id,
    auth_method: session.authMethod,
    expires_at: session.expiresAt,
    ip_address: session.ip ?? null,
    user_agent: session.userAgent ?? null,
  })}`;
}

export async function recordTokens(
  sql: Database, sessionId: string, tokens: { jti: string; type: "access" | "refresh"; issuedAt: Date; expiresAt: Date }[],
): Promise<void> {
  await sql`insert into tokens ${sql(tokens.map((t) => ({
    jti: t.jti, session_id: sessionId, token_type: t.type, issued_at: t.issuedAt, expires_at: t.expiresAt,
  })))}`;
}

export async function findToken(sql: Database, jti: string): Promise<TokenLookup | undefined> {
  const [row] = await sql<TokenLookup[]>`
    select s.*, t.session_id, t.token_type, t.revoked_at as token_revoked_at, t.issued_at
    from tokens t join sessions s on s.id = t.session_id where t.jti = ${jti}`;
  return row;
}

/** Marks a refresh token used; false when it was already used or revoked (reuse). */
export async function consumeRefreshToken(sql: Database, jti: string): Promise<boolean> {
  const rows = await sql`
    update tokens set revoked_at = now() where jti = ${jti} and token_type = 'refresh' and revoked_at is null returning jti`;
  return rows.length === 1;
}

export async function touchSession(sql: Database, sessionId: string, expiresAt?: Date): Promise<void> {
  await sql`update sessions set last_used_at = now(), expires_at = coalesce(${expiresAt ?? null}, expires_at) where id = ${sessionId}`;
}

/** Ends sessions and every token in them. */
export async function revokeSessions(sql: Database, sessionIds: string[], reason: string): Promise<void> {
  if (!sessionIds.length) return;
  await sql.begin(async (tx) => {
    await tx`update sessions set revoked_at = now(), revoked_reason = ${reason} where id in ${tx(sessionIds)} and revoked_at is null`;
    await tx`update tokens set revoked_at = now() where session_id in ${tx(sessionIds)} and revoked_at is null`;
  });
}

/** Live sessions of an owner, oldest first: not revoked, not expired, not idle. */
export async function activeSessions(sql: Database, owner: SessionOwner, idleSeconds: number): Promise<SessionRow[]> {
  const column = ownerColumn(owner);
  return sql<SessionRow[]>`
    select * from sessions
    where ${sql(column)} = ${owner.id} and revoked_at is null and expires_at > now()
      and last_used_at > now() - make_interval(secs => ${idleSeconds})
    order by created_at, id`;
}

export async function sessionIdsOf(sql: Database, owner: SessionOwner): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from sessions where ${sql(ownerColumn(owner))} = ${owner.id} and revoked_at is null`;
  return rows.map((r) => r.id);
}

/** Live sessions started with a client credential (to end them when it is revoked or rotated). */
export async function sessionIdsOfClient(sql: Database, clientId: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select id from sessions where client_id = ${clientId} and revoked_at is null`;
  return rows.map((r) => r.id);
}
