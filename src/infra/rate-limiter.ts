/**
 * Fixed-window counters shared by every replica: one Lua script in Valkey increments the
 * key and starts its window (PEXPIRE) on the first hit, atomically, so the window is
 * Valkey's clock, not each replica's. Keys are namespaced per installation (see
 * `rateLimitNamespace`) so installations sharing a Valkey do not count each other.
 *
 * When Valkey is unavailable the limiter falls back to counters in this process (logged
 * once per outage). Failing open would hand brute-forcers an unlimited login endpoint
 * whenever the cache blinks; failing closed would lock every user out because of a cache.
 * Per-process counting keeps the protection, at worst `limit × replicas` per window, until
 * Valkey returns; then the shared counters take over again.
 */
import type { Logger } from "./logger.ts";
import type { Valkey } from "./valkey.ts";
import { errorMessage, withTimeout } from "./retry.ts";

export interface RateWindow {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests left in this window (0 once exceeded). */
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
  /** The first refused request of its window (for one event per key and window). */
  firstRefusal: boolean;
  /** "valkey" normally, "memory" while Valkey is unavailable. */
  store: "valkey" | "memory";
}

// KEYS[1] counter; ARGV[1] window in ms. Returns { count, ms until reset }. A key that lost
// its expiry (it never should) gets one again instead of counting forever.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }`;

const VALKEY_TIMEOUT_MS = 500;
const MEMORY_SWEEP_EVERY = 1000;
const MEMORY_MAX_KEYS = 100_000;

type ValkeyWithHit = Valkey & { imbiRateHit(key: string, windowMs: number): Promise<[number, number]> };

/** The key prefix of an installation: its PostgreSQL database, which every replica shares. */
export function rateLimitNamespace(postgresUrl: string): string {
  try {
    const name = decodeURIComponent(new URL(postgresUrl).pathname.replace(/^\/+/, "")) || "imbi";
    return `imbi:${name}:ratelimit`;
  } catch {
    return "imbi:ratelimit";
  }
}

export class RateLimiter {
  readonly #valkey: ValkeyWithHit;
  readonly #memory = new Map<string, { count: number; resetAt: number }>();
  #hitsSinceSweep = 0;
  #degraded = false;

  constructor(valkey: Valkey, private readonly logger: Logger, private readonly namespace: string) {
    if (!("imbiRateHit" in valkey)) valkey.defineCommand("imbiRateHit", { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.#valkey = valkey as ValkeyWithHit;
  }

  /** Counts one request against `key` (e.g. "login:ip:203.0.113.7") under `window`. */
  async hit(key: string, window: RateWindow): Promise<RateLimitResult> {
    const windowMs = window.windowSeconds * 1000;
    const fullKey = `${this.namespace}:${key}`;
    if (this.#valkey.status === "ready") {
      try {
        const [count, ttl] = await withTimeout(this.#valkey.imbiRateHit(fullKey, windowMs), VALKEY_TIMEOUT_MS, "Valkey rate-limit hit");
        this.#recovered();
        return result(window, Number(count), Number(ttl), "valkey");
      } catch (error) {
        this.#fallingBack(error);
      }
    } else {
      this.#fallingBack(new Error(`Valkey connection is ${this.#valkey.status}`));
    }
    return this.#hitMemory(fullKey, window, windowMs);
  }

  #hitMemory(key: string, window: RateWindow, windowMs: number): RateLimitResult {
    const now = Date.now();
    if (++this.#hitsSinceSweep >= MEMORY_SWEEP_EVERY || this.#memory.size >= MEMORY_MAX_KEYS) this.#sweep(now);
    let entry = this.#memory.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      this.#memory.set(key, entry);
    }
    entry.count++;
    return result(window, entry.count, entry.resetAt - now, "memory");
  }

  #sweep(now: number): void {
    this.#hitsSinceSweep = 0;
    for (const [key, entry] of this.#memory) if (entry.resetAt <= now) this.#memory.delete(key);
    // Still full of live windows (a flood of distinct keys): forget the oldest half rather than grow.
    if (this.#memory.size >= MEMORY_MAX_KEYS) {
      let drop = Math.floor(this.#memory.size / 2);
      for (const key of this.#memory.keys()) {
        if (drop-- <= 0) break;
        this.#memory.delete(key);
      }
    }
  }

  #fallingBack(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.logger.warn({ dependency: "valkey", err: errorMessage(error) },
      "Valkey unavailable: rate limits are counted per process until it returns");
  }

  #recovered(): void {
    if (!this.#degraded) return;
    this.#degraded = false;
    this.#memory.clear();
    this.logger.info({ dependency: "valkey" }, "Valkey available again: rate limits are shared by every replica");
  }
}

function result(window: RateWindow, count: number, resetMs: number, store: RateLimitResult["store"]): RateLimitResult {
  return {
    allowed: count <= window.limit,
    limit: window.limit,
    remaining: Math.max(0, window.limit - count),
    resetMs: Math.max(0, resetMs),
    firstRefusal: count === window.limit + 1,
    store,
  };
}
