/**
 * events in ClickHouse (migrations/clickhouse/0001_events.sql), written by the gateway,
 * plugins and API internals; read here through FINAL (ReplacingMergeTree(version)).
 * User input reaches SQL only as query parameters.
 */
import { selectRows } from "../../infra/clickhouse-query.ts";
import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../../infra/clickhouse-writer.ts";
import type { Cursor } from "../../http/pagination.ts";

export const TABLE = "events";

export interface EventRow {
  id: string;
  project_id: string;
  recorded_at: string;
  type: string;
  integration: string;
  attributed_to: string;
  metadata: Record<string, unknown> | string | null;
  payload: Record<string, unknown> | string | null;
}

export interface EventFilters {
  project_id?: string;
  type?: string;
  event_type?: string;
  attributed_to?: string;
  integration?: string;
  since?: Date;
  until?: Date;
  /** null: every project. */
  projectIds: string[] | null;
}

const DT = "DateTime64(3, 'UTC')";
const COLUMNS = "id, project_id, recorded_at, type, integration, attributed_to, metadata, payload";
const EXACT = ["project_id", "type", "attributed_to", "integration"] as const;


export async function findEvent(ch: ClickHouseClient, id: string): Promise<EventRow | undefined> {
  const [row] = await selectRows<EventRow>(ch, `SELECT ${COLUMNS} FROM ${TABLE} FINAL WHERE id = {id:String} LIMIT 1`, { id });
  return row;
}

/** Up to `limit` events, newest first, after `cursor`. */
export function listEvents(ch: ClickHouseClient, filters: EventFilters, limit: number, cursor?: Cursor): Promise<EventRow[]> {
  const clauses = ["1 = 1"];
  const params: Record<string, unknown> = { limit };
  if (filters.projectIds) {
    clauses.push("project_id IN {scope:Array(String)}");
    params.scope = filters.projectIds;
  }
  for (const name of EXACT) {
    if (filters[name] === undefined) continue;
    clauses.push(`${name} = {f_${name}:String}`);
    params[`f_${name}`] = filters[name];
  }
  if (filters.event_type !== undefined) {
    clauses.push("toString(metadata.event_type) = {event_type:String}");
    params.event_type = filters.event_type;
  }
  if (filters.since) {
    clauses.push(`recorded_at >= {since:${DT}}`);
    params.since = toClickHouseTime(filters.since);
  }
  if (filters.until) {
    clauses.push(`recorded_at < {until:${DT}}`);
    params.until = toClickHouseTime(filters.until);
  }
  if (cursor) {
    clauses.push(`(recorded_at, id) < ({c_at:${DT}}, {c_id:String})`);
    params.c_at = toClickHouseTime(cursor.timestamp);
    params.c_id = cursor.id;
  }
  return selectRows<EventRow>(ch, `SELECT ${COLUMNS} FROM ${TABLE} FINAL WHERE ${clauses.join(" AND ")}
    ORDER BY recorded_at DESC, id DESC LIMIT {limit:UInt32}`, params);
}
