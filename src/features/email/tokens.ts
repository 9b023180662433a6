/**
 * One-time tokens of emailed links: password reset / set password (`reset`) and email
 * verification (`verify`). 256 random bits; only the SHA-256 is stored; a token works once
 * and until it expires.
 */
import type { Sql } from "../users/repo.ts";
import { newSecret } from "../../lib/ids.ts";
import { hashSecret } from "../../lib/secrets.ts";

export type TokenPurpose = "reset" | "verify";

export const RESET_TTL_MS = 24 * 3600_000;
export const SET_PASSWORD_TTL_MS = 7 * 24 * 3600_000;
export const VERIFY_TTL_MS = 7 * 24 * 3600_000;

export async function issueToken(sql: Sql, purpose: TokenPurpose, user: { id: string; email: string }, ttlMs: number): Promise<string> {
  const token = newSecret();
  await sql`insert into one_time_tokens ${sql({
    token_hash: hashSecret(token), purpose, user_id: user.id, email: user.email, expires_at: new Date(Date.now() + ttlMs),
  })}`;
  return token;
}

export interface TokenRow {
  token_hash: string;
  purpose: TokenPurpose;
  user_id: string;
  email: string;
  expires_at: Date;
  used_at: Date | null;
}

/** A token that can still be used (not used, not expired), without using it. */
export async function findUsableToken(sql: Sql, purpose: TokenPurpose, token: string): Promise<TokenRow | undefined> {
  const [row] = await sql<TokenRow[]>`select * from one_time_tokens
    where token_hash = ${hashSecret(token)} and purpose = ${purpose} and used_at is null and expires_at > now()`;
  return row;
}

/** Uses the token (atomically: of two concurrent uses, one wins); undefined when it cannot be used. */
export async function consumeToken(sql: Sql, purpose: TokenPurpose, token: string): Promise<TokenRow | undefined> {
  const [row] = await sql<TokenRow[]>`update one_time_tokens set used_at = now()
    where token_hash = ${hashSecret(token)} and purpose = ${purpose} and used_at is null and expires_at > now()
    returning *`;
  return row;
}

/** Voids the user's other unused tokens of that purpose (a reset voids older reset links). */
export async function voidTokens(sql: Sql, purpose: TokenPurpose, userId: string): Promise<void> {
  await sql`update one_time_tokens set used_at = now() where user_id = ${userId} and purpose = ${purpose} and used_at is null`;
}
