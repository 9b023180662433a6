/**
 * Authorization codes in Valkey: 256 random bits, stored under their hash for 60 seconds,
 * redeemed at most once (GETDEL). A redeemed code leaves a marker naming the session it
 * started, kept as long as that session's tokens can live, so a replayed code revokes
 * what it issued (RFC 6749 §4.1.2). A replay racing the first redemption is caught too:
 * the marker says "pending" until the session exists, and a replay turns it into
 * "replayed", which the first redemption sees and answers by revoking its own session.
 */
import type { AppContext } from "../../context.ts";
import { newSecret } from "../../lib/ids.ts";
import { overridesOf } from "./overrides.ts";
import { storeKey, withStore } from "./store.ts";

export const CODE_TTL_MS = 60_000;
const PENDING = "pending";
const REPLAYED = "replayed";

export interface CodeGrant {
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  user_id: string;
  scope: string;
  /** The RFC 8707 resource the tokens are bound to (their `aud`). */
  resource: string;
}

const codeKey = (ctx: AppContext, code: string) => storeKey(ctx, "code", code);
const usedKey = (ctx: AppContext, code: string) => storeKey(ctx, "code-used", code);
const markerSeconds = (ctx: AppContext) => ctx.settings.auth.refresh_token_expire_seconds;

export async function issueCode(ctx: AppContext, grant: CodeGrant): Promise<string> {
  const code = newSecret();
  const ttl = overridesOf(ctx).codeTtlMs ?? CODE_TTL_MS;
  await withStore(ctx, () => ctx.infra.valkey.set(codeKey(ctx, code), JSON.stringify(grant), "PX", ttl));
  return code;
}

export type Redemption =
  | { kind: "redeemed"; grant: CodeGrant }
  /** Used before: `sessionId` is the session it started (to revoke), when known yet. */
  | { kind: "replayed"; sessionId?: string }
  | { kind: "invalid" };

export async function redeemCode(ctx: AppContext, code: string): Promise<Redemption> {
  const { valkey } = ctx.infra;
  return withStore(ctx, async () => {
    const stored = await valkey.getdel(codeKey(ctx, code));
    if (stored) {
      await valkey.set(usedKey(ctx, code), PENDING, "EX", markerSeconds(ctx));
      return { kind: "redeemed", grant: JSON.parse(stored) as CodeGrant };
    }
    // Atomically: a pending marker becomes "replayed" (the redeemer then revokes); a session id is returned to revoke here.
    const marker = await valkey.eval(
      "local v = redis.call('GET', KEYS[1]) if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end return v",
      1, usedKey(ctx, code), PENDING, REPLAYED,
    ) as string | null;
    if (!marker) return { kind: "invalid" };
    return { kind: "replayed", sessionId: marker === PENDING || marker === REPLAYED ? undefined : marker };
  });
}

/** Records the session a redeemed code started; false when a replay was seen meanwhile. */
export async function recordCodeSession(ctx: AppContext, code: string, sessionId: string): Promise<boolean> {
  const result = await withStore(ctx, () => ctx.infra.valkey.eval(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0",
    1, usedKey(ctx, code), PENDING, sessionId, String(markerSeconds(ctx)),
  ));
  return result === 1;
}
