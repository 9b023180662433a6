/**
 * The PostgreSQL outbox (migrations/postgres/0006_email.sql). `enqueue` takes the caller's
 * transaction, so a message exists exactly when the change that caused it committed. The
 * worker claims due rows with FOR UPDATE SKIP LOCKED and a lease (locked_until): concurrent
 * workers (replicas) never claim the same row, and a row whose worker died is claimed
 * again once its lease has run out.
 */
import type { Database } from "../../infra/postgres.ts";
import type { Sql } from "../users/repo.ts";
import { newId } from "../../lib/ids.ts";
import type { TemplateName, TemplateParams } from "./templates.ts";

export type OutboxStatus = "pending" | "sent" | "failed" | "skipped" | "dry_run";

export interface OutboxRow {
  id: string;
  template: TemplateName;
  recipient: string;
  params: TemplateParams;
  status: OutboxStatus;
  /** Attempts made, this one included once claimed. */
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  last_error: string | null;
  request_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface NewMessage {
  template: TemplateName;
  to: string;
  params: TemplateParams;
  requestId?: string;
}

export async function enqueue(sql: Sql, message: NewMessage): Promise<string> {
  const id = newId();
  await sql`insert into email_outbox ${sql({
    id, template: message.template, recipient: message.to,
    params: sql.json(message.params as never), request_id: message.requestId ?? null,
  })}`;
  return id;
}

/** Claims up to `limit` due messages for `leaseMs`; each claim counts as an attempt. */
export async function claimDue(sql: Database, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    update email_outbox set attempts = attempts + 1, locked_until = now() + ${leaseMs} * interval '1 millisecond'
    where id in (
      select id from email_outbox
      where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until <= now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning *`;
}

/** Done for good: params (which hold links with tokens) are cleared. */
export async function finish(sql: Database, id: string, status: Exclude<OutboxStatus, "pending">, error?: string): Promise<void> {
  await sql`update email_outbox set status = ${status}, locked_until = null, params = '{}', finished_at = now(),
    last_error = ${error ?? null} where id = ${id}`;
}

export async function retryLater(sql: Database, id: string, delayMs: number, error: string): Promise<void> {
  await sql`update email_outbox set locked_until = null, last_error = ${error},
    next_attempt_at = now() + ${delayMs} * interval '1 millisecond' where id = ${id}`;
}

/** Milliseconds until the next pending message is due (0 if one is due now), or undefined. */
export async function msUntilNextDue(sql: Database): Promise<number | undefined> {
  const [row] = await sql<{ ms: number | null }[]>`
    select extract(epoch from (min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now())) * 1000 as ms
    from email_outbox where status = 'pending'`;
  return row?.ms === null || row?.ms === undefined ? undefined : Math.max(0, Number(row.ms));
}

/** Retention: finished messages and spent or expired tokens older than `days` are deleted. */
export async function prune(sql: Database, days = 30): Promise<void> {
  await sql`delete from email_outbox where status <> 'pending' and finished_at < now() - ${days} * interval '1 day'`;
  await sql`delete from one_time_tokens where coalesce(used_at, expires_at) < now() - ${days} * interval '1 day'`;
}
