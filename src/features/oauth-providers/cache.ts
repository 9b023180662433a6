/**
 * ADR 0009's 30-second provider cache, keyed by slug (plus one entry for the enabled list),
 * emptied by every write. Other replicas hear of a write through Valkey pub/sub and drop
 * the entry at once; the TTL bounds staleness when a message is lost (Valkey down, or the
 * subscriber between reconnects, after which the whole cache is dropped).
 *
 * A subscribed Valkey connection cannot run other commands, so the subscriber is its own
 * connection (a duplicate of the shared client).
 */
import type { Logger } from "../../infra/logger.ts";
import type { Valkey } from "../../infra/valkey.ts";
import { errorMessage } from "../../infra/retry.ts";

export const CACHE_TTL_MS = 30_000;
/** The key of the enabled-providers list; no slug can look like it. */
export const ENABLED_LIST = "\u0000enabled";

/** The invalidation channel of an installation: its PostgreSQL database, shared by every replica. */
export function invalidationChannel(postgresUrl: string): string {
  let name = "imbi";
  try {
    name = decodeURIComponent(new URL(postgresUrl).pathname.replace(/^\/+/, "")) || name;
  } catch { /* not a URL: one channel for the default installation */ }
  return `imbi:${name}:oauth-providers:invalidate`;
}

export class ProviderCache {
  readonly #entries = new Map<string, { value: unknown; expires: number }>();
  /** Bumped by every invalidation: a load that started before one must not cache what it read. */
  #generation = 0;

  constructor(private readonly ttlMs = CACHE_TTL_MS, private readonly now = () => Date.now()) {}

  /** The cached value of `key` (a slug, or ENABLED_LIST), loading it when absent or older than the TTL. */
  async through<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value as T;
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation) this.#entries.set(key, { value, expires: this.now() + this.ttlMs });
    return value;
  }

  /** A slug's entry and the enabled list (which may hold it). */
  invalidate(slug: string): void {
    this.#generation++;
    this.#entries.delete(slug);
    this.#entries.delete(ENABLED_LIST);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

export interface CacheBus {
  /** Tells every replica (this one included) that `slug` changed. Never throws. */
  publish(slug: string): Promise<void>;
}

/**
 * Subscribes `onMessage` to the channel on a connection of its own; degrades to TTL-only
 * when Valkey is down. The subscriber never reconnects by itself: it (re)connects whenever
 * the shared client becomes ready, so it cannot outlive the shared client, even one closed
 * while Valkey is unreachable.
 */
export function connectCacheBus(
  valkey: Valkey, channel: string, logger: Logger,
  handlers: { onMessage: (slug: string) => void; onResync: () => void },
): CacheBus {
  const subscriber = valkey.duplicate({ lazyConnect: true, retryStrategy: () => null });
  subscriber.on("error", () => { /* the shared client logs connection trouble */ });
  subscriber.on("message", (received: string, slug: string) => {
    if (received === channel) handlers.onMessage(slug);
  });
  // (Re)connected: subscribe, and forget everything, since messages sent meanwhile are lost.
  subscriber.on("ready", () => {
    handlers.onResync();
    subscriber.subscribe(channel).catch((error: unknown) =>
      logger.warn({ dependency: "valkey", err: errorMessage(error) }, "oauth providers: cache invalidation subscribe failed"));
  });
  const connect = () => {
    if (subscriber.status === "wait" || subscriber.status === "end") subscriber.connect().catch(() => { /* next time the shared client is ready */ });
  };
  valkey.on("ready", connect);
  if (valkey.status === "ready") connect();
  valkey.once("end", () => subscriber.disconnect());

  return {
    async publish(slug) {
      try {
        await valkey.publish(channel, slug);
      } catch (error) {
        logger.warn({ dependency: "valkey", err: errorMessage(error) }, "oauth providers: cache invalidation not published; other replicas catch up within 30 s");
      }
    },
  };
}
