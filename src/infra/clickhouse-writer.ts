/**
 * The buffered ClickHouse writer behind every analytics table (audit log, API-key usage).
 * `write()` only appends to memory, so a request never fails or waits because of
 * ClickHouse (D6). Rows go out in batches: every `flushIntervalMs`, or as soon as a table
 * has `batchSize` rows.
 *
 * While ClickHouse is down (or its tables are still being created) rows stay in memory and
 * the writer retries with capped exponential backoff. A batch keeps its
 * insert_deduplication_token across retries, so an insert that reached the server but
 * whose answer was lost is not stored twice. The buffer is bounded: past `maxBuffered`
 * rows the oldest are dropped and the count is logged (once per tick). A batch the server
 * rejects as malformed data is retried a few times, then dropped with an error log, so it
 * cannot block the rows behind it forever. `close()` flushes what is left and logs any
 * row it could not deliver: nothing is dropped silently.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import { nanoid } from "nanoid";
import type { Logger } from "./logger.ts";
import { errorMessage } from "./retry.ts";

export type AnalyticsRow = Record<string, unknown>;

export interface ClickHouseWriterOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  maxBuffered?: number;
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** False while the tables may not exist yet (ClickHouse setup still pending). */
  isReady?: () => boolean;
}

interface Batch {
  table: string;
  rows: AnalyticsRow[];
  token: string;
  rejections: number;
}

/** ClickHouse codes for data the server will never accept (parse and type errors). */
const DATA_ERROR_CODES = new Set(["6", "26", "27", "38", "41", "53", "69", "72", "117", "131"]);
const MAX_REJECTIONS = 3;

/** ClickHouse DateTime64(3) text: "2025-01-31 12:00:00.123" (UTC). */
export function toClickHouseTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

export class ClickHouseWriter {
  readonly #options: Required<ClickHouseWriterOptions>;
  /** Batches formed and not yet acknowledged, oldest first; then rows not yet batched. */
  readonly #batches: Batch[] = [];
  readonly #queues = new Map<string, AnalyticsRow[]>();
  #buffered = 0;
  #dropped = 0;
  #backoffMs = 0;
  #nextAttemptAt = 0;
  #failing = false;
  #flushing: Promise<void> | undefined;
  /** The batch being inserted right now; overflow never trims it. */
  #inFlight: Batch | undefined;
  #timer: Timer | undefined;

  constructor(
    private readonly client: Pick<ClickHouseClient, "insert">,
    private readonly logger: Logger,
    options: ClickHouseWriterOptions = {},
  ) {
    this.#options = {
      flushIntervalMs: 1000, batchSize: 1000, maxBuffered: 100_000, firstBackoffMs: 1000, maxBackoffMs: 30_000,
      isReady: () => true, ...options,
    };
    this.#timer = setInterval(() => this.#tick(), this.#options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Rows waiting to be delivered. */
  get buffered(): number {
    return this.#buffered;
  }

  write(table: string, row: AnalyticsRow): void {
    let queue = this.#queues.get(table);
    if (!queue) this.#queues.set(table, (queue = []));
    queue.push(row);
    this.#buffered++;
    if (this.#buffered > this.#options.maxBuffered) this.#dropOldest(this.#buffered - this.#options.maxBuffered);
    if (queue.length >= this.#options.batchSize && Date.now() >= this.#nextAttemptAt) void this.flush();
  }

  /** One delivery attempt of everything buffered; never throws. */
  flush(): Promise<void> {
    this.#flushing ??= this.#deliver().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  /** Stops the timer and delivers what is left, retrying until `timeoutMs`; logs what could not be. */
  async close(timeoutMs = 5000): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const deadline = Date.now() + timeoutMs;
    await this.flush();
    while (this.#buffered > 0 && Date.now() < deadline) {
      await Bun.sleep(Math.min(250, Math.max(0, deadline - Date.now())));
      await this.flush();
    }
    this.#reportDropped();
    if (this.#buffered > 0) {
      this.logger.error({ dependency: "clickhouse", rows: this.#buffered }, `${this.#buffered} analytics row(s) not delivered before shutdown`);
    }
  }

  #tick(): void {
    this.#reportDropped();
    if (this.#buffered > 0 && Date.now() >= this.#nextAttemptAt) void this.flush();
  }

  async #deliver(): Promise<void> {
    if (!this.#options.isReady()) return;
    this.#formBatches();
    while (this.#batches.length > 0) {
      const batch = this.#batches[0]!;
      this.#inFlight = batch;
      try {
        await this.client.insert({
          table: batch.table, values: batch.rows, format: "JSONEachRow",
          clickhouse_settings: { insert_deduplication_token: batch.token },
        });
      } catch (error) {
        if (this.#rejectedForGood(batch, error)) continue;
        this.#failed(error);
        return;
      } finally {
        this.#inFlight = undefined;
      }
      this.#remove(batch);
      this.#succeeded();
      // Rows written while this insert was in flight join the next batches.
      if (this.#batches.length === 0) this.#formBatches();
    }
  }

  #formBatches(): void {
    for (const [table, queue] of this.#queues) {
      while (queue.length > 0) {
        this.#batches.push({ table, rows: queue.splice(0, this.#options.batchSize), token: nanoid(), rejections: 0 });
      }
    }
  }

  /** A data error the server will keep refusing: drop the batch (logged) after a few tries. */
  #rejectedForGood(batch: Batch, error: unknown): boolean {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !DATA_ERROR_CODES.has(code)) return false;
    if (++batch.rejections < MAX_REJECTIONS) return false;
    this.#remove(batch);
    this.logger.error({ dependency: "clickhouse", table: batch.table, rows: batch.rows.length, err: errorMessage(error) },
      `ClickHouse rejected ${batch.rows.length} ${batch.table} row(s) ${MAX_REJECTIONS} times; dropped them`);
    return true;
  }

  #remove(batch: Batch): void {
    const index = this.#batches.indexOf(batch);
    if (index >= 0) this.#batches.splice(index, 1);
    this.#buffered -= batch.rows.length;
  }

  #failed(error: unknown): void {
    this.#backoffMs = this.#backoffMs ? Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs) : this.#options.firstBackoffMs;
    this.#nextAttemptAt = Date.now() + this.#backoffMs;
    if (!this.#failing) {
      this.#failing = true;
      this.logger.warn({ dependency: "clickhouse", err: errorMessage(error), buffered: this.#buffered },
        "ClickHouse writes failing: keeping analytics rows in memory and retrying");
    }
  }

  #succeeded(): void {
    this.#backoffMs = 0;
    this.#nextAttemptAt = 0;
    if (this.#failing) {
      this.#failing = false;
      this.logger.info({ dependency: "clickhouse", buffered: this.#buffered }, "ClickHouse writes recovered; delivering buffered analytics rows");
    }
  }

  #dropOldest(count: number): void {
    let left = count;
    // Oldest first: formed batches (in order, except the one being inserted), then the table queues.
    for (const batch of [...this.#batches]) {
      if (left <= 0) break;
      if (batch === this.#inFlight) continue;
      const n = Math.min(left, batch.rows.length);
      batch.rows.splice(0, n);
      // Different content must not reuse the token, or the server would discard it as a duplicate.
      batch.token = nanoid();
      if (batch.rows.length === 0) this.#batches.splice(this.#batches.indexOf(batch), 1);
      left -= n;
    }
    for (const queue of this.#queues.values()) {
      if (left <= 0) break;
      left -= queue.splice(0, left).length;
    }
    const dropped = count - left;
    this.#buffered -= dropped;
    this.#dropped += dropped;
  }

  #reportDropped(): void {
    if (this.#dropped === 0) return;
    this.logger.warn({ dependency: "clickhouse", dropped: this.#dropped, limit: this.#options.maxBuffered },
      `analytics buffer full: dropped the ${this.#dropped} oldest row(s)`);
    this.#dropped = 0;
  }
}
