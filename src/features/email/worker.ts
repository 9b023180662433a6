/**
 * The email worker: delivers the outbox (outbox.ts) in the background of every server
 * process. It claims one due message at a time (row lock + lease, so replicas never send the
 * same message concurrently), renders it, and then, by IMBI_EMAIL_*:
 *   - ENABLED=false: nothing is sent; the message is recorded as `skipped`;
 *   - DRY_RUN=true: the message is built and logged, never sent (`dry_run`);
 *   - otherwise it is sent over SMTP; a failed attempt is retried after
 *     min(INITIAL_RETRY_DELAY * RETRY_BACKOFF_FACTOR^(attempt-1), MAX_RETRY_DELAY) seconds,
 *     MAX_RETRIES times, then the message is `failed`.
 * Every attempt's outcome becomes one email_log row in ClickHouse (buffered writer). The
 * worker polls every second, wakes at once when a message is enqueued in this process, and
 * sleeps exactly until the next retry is due. `close()` stops it after the current send.
 * Hourly, finished messages and spent tokens older than 30 days are deleted.
 */
import { createHash } from "node:crypto";
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import { toClickHouseTime, type ClickHouseWriter } from "../../infra/clickhouse-writer.ts";
import { createMailer, sendMail, sendTimeoutMs, type Mailer } from "../../infra/mailer.ts";
import { errorMessage } from "../../infra/retry.ts";
import { claimDue, finish, msUntilNextDue, prune, retryLater, type OutboxRow, type OutboxStatus } from "./outbox.ts";
import { isTemplate, render } from "./templates.ts";

export const EMAIL_LOG_TABLE = "email_log";

type EmailSettings = Settings["email"];

/** Seconds → ms before attempt `attempt + 1`, after `attempt` failed attempts (1-based). */
export function retryDelayMs(settings: EmailSettings, attempt: number): number {
  const seconds = settings.initial_retry_delay * settings.retry_backoff_factor ** Math.max(0, attempt - 1);
  return Math.round(Math.min(seconds, settings.max_retry_delay) * 1000);
}

export function recipientHash(address: string): string {
  return createHash("sha256").update(address.trim().toLowerCase(), "utf8").digest("hex");
}

export const recipientDomain = (address: string) => (address.split("@").pop() ?? "").trim().toLowerCase();

export interface EmailWorkerOptions {
  pollIntervalMs?: number;
  /** The transport; createMailer(settings) unless given (tests). */
  mailer?: Mailer;
}

export class EmailWorker {
  readonly #mailer: Mailer;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  #stopped = false;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #failingSince: number | undefined;
  #prunedAt = 0;

  constructor(
    private readonly sql: Database,
    private readonly settings: EmailSettings,
    private readonly logger: Logger,
    private readonly analytics: ClickHouseWriter,
    options: EmailWorkerOptions = {},
  ) {
    this.#mailer = options.mailer ?? createMailer(settings);
    this.#pollMs = options.pollIntervalMs ?? 1000;
    // Longer than any one send can take (sendMail bounds it), so a live worker keeps its claim.
    this.#leaseMs = sendTimeoutMs(settings) + 10_000;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** A message was enqueued (and committed): look now instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Stops polling; an attempt in progress completes (and is recorded) first. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
    this.#mailer.close();
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      let delay = this.#pollMs;
      try {
        while (!this.#stopped && (await this.#deliverOne()));
        if (Date.now() - this.#prunedAt > 3600_000) {
          this.#prunedAt = Date.now();
          await prune(this.sql);
        }
        const due = await msUntilNextDue(this.sql);
        if (due !== undefined) delay = Math.min(delay, Math.max(10, due));
        if (this.#failingSince !== undefined) {
          this.logger.info({ dependency: "postgres" }, "email worker recovered");
          this.#failingSince = undefined;
        }
      } catch (error) {
        if (this.#failingSince === undefined) {
          this.#failingSince = Date.now();
          this.logger.warn({ err: errorMessage(error) }, "email worker cannot read the outbox; retrying");
        }
      }
      if (this.#stopped || this.#woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Claims and handles one due message; false when none was due. */
  async #deliverOne(): Promise<boolean> {
    const [row] = await claimDue(this.sql, 1, this.#leaseMs);
    if (!row) return false;
    await this.#deliver(row);
    return true;
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const settings = this.settings;
    if (!isTemplate(row.template)) {
      await this.#done(row, "failed", `unknown template ${row.template}`);
      return;
    }
    if (!settings.enabled) {
      await this.#done(row, "skipped");
      return;
    }
    const message = render(row.template, row.params);
    if (settings.dry_run) {
      this.logger.info({
        email_id: row.id, template: row.template, subject: message.subject, recipient_domain: recipientDomain(row.recipient),
        from: settings.from_email, reply_to: settings.reply_to ?? undefined,
      }, "email dry run: message built, not sent");
      this.logger.debug({ email_id: row.id, text: message.text }, "email dry run body");
      await this.#done(row, "dry_run");
      return;
    }
    try {
      await sendMail(this.#mailer, settings, { to: row.recipient, ...message, headers: { "X-Imbi-Template": row.template } });
    } catch (error) {
      const reason = errorMessage(error);
      if (row.attempts > settings.max_retries) {
        this.logger.error({ email_id: row.id, template: row.template, attempts: row.attempts, err: reason }, "email not delivered; giving up");
        await this.#done(row, "failed", reason);
      } else {
        const delay = retryDelayMs(settings, row.attempts);
        this.logger.warn({ email_id: row.id, template: row.template, attempts: row.attempts, retry_in_ms: delay, err: reason },
          "email attempt failed; will retry");
        await retryLater(this.sql, row.id, delay, reason);
        this.#log(row, "failed", reason, false);
      }
      return;
    }
    this.logger.info({ email_id: row.id, template: row.template, attempts: row.attempts }, "email sent");
    await this.#done(row, "sent");
  }

  async #done(row: OutboxRow, status: Exclude<OutboxStatus, "pending">, error?: string): Promise<void> {
    await finish(this.sql, row.id, status, error);
    this.#log(row, status, error ?? "", true);
  }

  #log(row: OutboxRow, status: Exclude<OutboxStatus, "pending">, error: string, final: boolean): void {
    this.analytics.write(EMAIL_LOG_TABLE, {
      message_id: row.id,
      at: toClickHouseTime(new Date()),
      template: row.template,
      status,
      attempts: row.attempts,
      final: final ? 1 : 0,
      error,
      recipient_hash: recipientHash(row.recipient),
      recipient_domain: recipientDomain(row.recipient),
      request_id: row.request_id ?? "",
    });
  }
}
