/**
 * The audit log: the one subscriber of the EventBus (STYLE.md habit 12). Every event
 * becomes one audit_log row (migrations/clickhouse/0003_audit_log.sql), handed to the
 * buffered writer, so emitting stays synchronous and never waits on ClickHouse.
 */
import { nanoid } from "nanoid";
import type { DomainEvent, EventBus } from "../../infra/events.ts";
import { toClickHouseTime, type ClickHouseWriter } from "../../infra/clickhouse-writer.ts";

export const AUDIT_TABLE = "audit_log";

export type AuditRow = {
  event_id: string;
  at: string;
  event_type: string;
  outcome: string;
  actor_type: string;
  actor_id: string;
  actor_name: string;
  ip: string;
  user_agent: string;
  request_id: string;
  detail: string;
};

export function toAuditRow(event: DomainEvent & { at: Date }): AuditRow {
  return {
    event_id: nanoid(),
    at: toClickHouseTime(event.at),
    event_type: event.type,
    outcome: event.outcome,
    actor_type: event.actor_type ?? "anonymous",
    actor_id: event.actor_id ?? "",
    actor_name: event.actor_name ?? "",
    ip: event.ip ?? "",
    user_agent: event.user_agent ?? "",
    request_id: event.request_id ?? "",
    detail: JSON.stringify(event.detail ?? {}),
  };
}

export function subscribeAuditLog(events: EventBus, writer: ClickHouseWriter): void {
  events.subscribe((event) => writer.write(AUDIT_TABLE, toAuditRow(event)));
}
