/**
 * An upstream login that still owes its second factor. The callback stores it in Valkey
 * under the hash of a random token, which only the browser that logged in receives (in the
 * URL fragment, and only with its binding cookie does it count). POST /auth/oauth/mfa then
 * trades token + code for the session and links the identity. The token lives 5 minutes,
 * is single-use, and dies after 5 wrong codes.
 */
import type { Valkey } from "../../infra/valkey.ts";
import { hashSecret } from "../../lib/secrets.ts";
import { isToken, randomToken } from "./state.ts";
import type { PendingLink } from "./resolve-user.ts";

export const PENDING_TTL_SECONDS = 300;
export const MAX_ATTEMPTS = 5;
const KEY = "imbi:oauth-login:mfa:";

export interface PendingMfa {
  userId: string;
  bindingHash: string;
  /** The identity to link once the code is right. */
  link: PendingLink;
}

export async function savePendingMfa(valkey: Valkey, pending: PendingMfa): Promise<string> {
  const token = randomToken();
  await valkey.set(KEY + hashSecret(token), JSON.stringify(pending), "EX", PENDING_TTL_SECONDS);
  return token;
}

export async function findPendingMfa(valkey: Valkey, token: unknown): Promise<PendingMfa | undefined> {
  if (!isToken(token)) return undefined;
  const raw = await valkey.get(KEY + hashSecret(token));
  return raw ? (JSON.parse(raw) as PendingMfa) : undefined;
}

/** Counts a wrong code; the pending login is dropped at the limit. */
export async function countFailedAttempt(valkey: Valkey, token: string): Promise<void> {
  const attempts = `${KEY}${hashSecret(token)}:attempts`;
  const count = await valkey.incr(attempts);
  await valkey.expire(attempts, PENDING_TTL_SECONDS);
  if (count >= MAX_ATTEMPTS) await valkey.del(KEY + hashSecret(token));
}

/** True for exactly one caller: the one that removed it. */
export async function consumePendingMfa(valkey: Valkey, token: string): Promise<boolean> {
  return (await valkey.del(KEY + hashSecret(token))) === 1;
}
