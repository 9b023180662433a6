/**
 * TOTP (RFC 6238, HMAC-SHA1) with the IMBI_AUTH_MFA_* settings. A code is accepted for the
 * current step ±1, and never twice: verification reports the matched step so the caller
 * can refuse any step at or before the last one used.
 */
import { generateSecret, generateURI, verify } from "otplib";
import type { Settings } from "../../config/settings.ts";

export type MfaSettings = Pick<Settings["auth"], "mfa_issuer_name" | "mfa_totp_period" | "mfa_totp_digits">;

export const newTotpSecret = (): string => generateSecret();

export function provisioningUri(settings: MfaSettings, email: string, secret: string): string {
  return generateURI({
    issuer: settings.mfa_issuer_name, label: email, secret,
    period: settings.mfa_totp_period, digits: settings.mfa_totp_digits as 6 | 7 | 8,
  });
}

/** The matched time step, or undefined for a wrong, malformed or replayed code. */
export async function verifyTotp(
  settings: MfaSettings, secret: string, code: string, lastUsedStep: number | null,
): Promise<number | undefined> {
  if (!new RegExp(`^\\d{${settings.mfa_totp_digits}}$`).test(code)) return undefined;
  const result = await verify({
    secret, token: code,
    period: settings.mfa_totp_period, digits: settings.mfa_totp_digits as 6 | 7 | 8,
    epochTolerance: settings.mfa_totp_period,
    ...(lastUsedStep !== null ? { afterTimeStep: lastUsedStep } : {}),
  });
  return result.valid && "timeStep" in result ? result.timeStep : undefined;
}
