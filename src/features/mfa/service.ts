/**
 * MFA rules: setup (secret Fernet-encrypted, 10 backup codes shown once), verify (turns MFA
 * on), disable (needs a code, or the password), and the check at login. A backup code is
 * single-use; a TOTP code is never accepted twice.
 */
import { randomBytes } from "node:crypto";
import type { Database } from "../../infra/postgres.ts";
import type { Fernet } from "../../lib/fernet.ts";
import { newTotpSecret, provisioningUri, verifyTotp, type MfaSettings } from "./totp.ts";
import { deleteMfa, enableMfa, findMfa, recordTotpStep, replaceMfa, unusedBackupCodes, useBackupCode, type MfaRow } from "./repo.ts";

export const BACKUP_CODE_COUNT = 10;

export interface MfaDeps {
  sql: Database;
  fernet: Fernet;
  settings: MfaSettings;
}

export async function mfaStatus(deps: MfaDeps, userId: string) {
  const row = await findMfa(deps.sql, userId);
  if (!row?.enabled) return { enabled: false, backup_codes_remaining: 0 };
  return { enabled: true, backup_codes_remaining: (await unusedBackupCodes(deps.sql, userId)).length };
}

export async function setupMfa(deps: MfaDeps, user: { id: string; email: string }) {
  const secret = newTotpSecret();
  const backupCodes = Array.from({ length: BACKUP_CODE_COUNT }, () => randomBytes(4).toString("hex"));
  const hashes = await Promise.all(backupCodes.map((code) => Bun.password.hash(code, { algorithm: "argon2id" })));
  await replaceMfa(deps.sql, user.id, deps.fernet.encrypt(secret), hashes);
  return { secret, provisioning_uri: provisioningUri(deps.settings, user.email, secret), backup_codes: backupCodes };
}

/** True when `code` is a fresh TOTP code or an unused backup code (which it then consumes). */
async function checkCode(deps: MfaDeps, row: MfaRow, code: string): Promise<boolean> {
  const secret = deps.fernet.decryptText(row.secret_encrypted);
  const step = await verifyTotp(deps.settings, secret, code.trim(), row.last_used_step === null ? null : Number(row.last_used_step));
  if (step !== undefined) return recordTotpStep(deps.sql, row.user_id, step);
  const normalized = code.trim().toLowerCase();
  if (!/^[0-9a-f]{8}$/.test(normalized)) return false;
  for (const backup of await unusedBackupCodes(deps.sql, row.user_id)) {
    if (await Bun.password.verify(normalized, backup.code_hash)) {
      return useBackupCode(deps.sql, backup.id);
    }
  }
  return false;
}

export type VerifyOutcome = "enabled" | "not_setup" | "invalid";

export async function verifyAndEnable(deps: MfaDeps, userId: string, code: string): Promise<VerifyOutcome> {
  const row = await findMfa(deps.sql, userId);
  if (!row) return "not_setup";
  if (!(await checkCode(deps, row, code))) return "invalid";
  await enableMfa(deps.sql, userId);
  return "enabled";
}

/** At login: "off" when the user has no enabled MFA. */
export async function loginMfa(deps: MfaDeps, userId: string, code: string | null | undefined): Promise<"off" | "required" | "ok" | "invalid"> {
  const row = await findMfa(deps.sql, userId);
  if (!row?.enabled) return "off";
  if (!code) return "required";
  return (await checkCode(deps, row, code)) ? "ok" : "invalid";
}

/** Turning MFA off needs proof of the second factor: a TOTP or backup code. */
export async function disableMfa(deps: MfaDeps, userId: string, code: string | undefined): Promise<"disabled" | "not_enabled" | "required" | "invalid"> {
  const row = await findMfa(deps.sql, userId);
  if (!row?.enabled) return "not_enabled";
  if (!code) return "required";
  if (!(await checkCode(deps, row, code))) return "invalid";
  await deleteMfa(deps.sql, userId);
  return "disabled";
}
