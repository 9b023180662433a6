/** MFA state: the encrypted TOTP secret and Argon2id-hashed single-use backup codes. */
import type { Database } from "../../infra/postgres.ts";

export interface MfaRow {
  user_id: string;
  secret_encrypted: string;
  enabled: boolean;
  last_used_step: string | null;
}

export async function findMfa(sql: Database, userId: string): Promise<MfaRow | undefined> {
  const [row] = await sql<MfaRow[]>`select user_id, secret_encrypted, enabled, last_used_step from mfa_secrets where user_id = ${userId}`;
  return row;
}

/** Replaces any previous secret and codes; MFA stays off until a code is verified. */
export async function replaceMfa(sql: Database, userId: string, secretEncrypted: string, codeHashes: string[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`delete from mfa_backup_codes where user_id = ${userId}`;
    await tx`insert into mfa_secrets (user_id, secret_encrypted, enabled) values (${userId}, ${secretEncrypted}, false)
             on conflict (user_id) do update set secret_encrypted = excluded.secret_encrypted, enabled = false,
             last_used_step = null, last_used = null, created_at = now()`;
    await tx`insert into mfa_backup_codes ${tx(codeHashes.map((code_hash) => ({ user_id: userId, code_hash })))}`;
  });
}

/** Records the step atomically: a concurrent use of the same or an older step loses. */
export async function recordTotpStep(sql: Database, userId: string, step: number): Promise<boolean> {
  const rows = await sql`update mfa_secrets set last_used_step = ${step}, last_used = now()
    where user_id = ${userId} and (last_used_step is null or last_used_step < ${step}) returning user_id`;
  return rows.length === 1;
}

export async function enableMfa(sql: Database, userId: string): Promise<void> {
  await sql`update mfa_secrets set enabled = true where user_id = ${userId}`;
}

export async function deleteMfa(sql: Database, userId: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`delete from mfa_backup_codes where user_id = ${userId}`;
    await tx`delete from mfa_secrets where user_id = ${userId}`;
  });
}

export async function unusedBackupCodes(sql: Database, userId: string): Promise<{ id: string; code_hash: string }[]> {
  return sql<{ id: string; code_hash: string }[]>`select id, code_hash from mfa_backup_codes where user_id = ${userId} and used_at is null`;
}

export async function useBackupCode(sql: Database, id: string): Promise<boolean> {
  const rows = await sql`update mfa_backup_codes set used_at = now() where id = ${id} and used_at is null returning id`;
  return rows.length === 1;
}
