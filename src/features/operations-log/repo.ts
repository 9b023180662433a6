/**
 * operations_log in ClickHouse (migrations/clickhouse/0002_operations_log.sql). Edits and
 * deletes insert a new version of the row (ReplacingMergeTree(_row_version)); every read
 * goes through FINAL and skips tombstones (is_deleted = 1). User input reaches SQL only as
 * query parameters; column names come from fixed lists.
 */
import { insertRows, selectRows } from "../../infra/clickhouse-query.ts";
import type { ClickHouseClient } from "@clickhouse/client";
import { toClickHouseTime } from "../../infra/clickhouse-writer.ts";
import type { Cursor } from "../../http/pagination.ts";
import type { FilterName } from "./model.ts";

export const TABLE = "operations_log";

export interface OpsLogRow {
  id: string;
  occurred_at: string;
  recorded_at: string;
  recorded_by: string;
  performed_by: string | null;
  completed_at: string | null;
  project_id: string;
  project_slug: string;
  environment_slug: string;
  entry_type: string;
  description: string;
  link: string | null;
  notes: string | null;
  ticket_slug: string | null;
  version: string | null;
  _row_version: number | string;
  is_deleted: number;
  plugin_slug: string;
  external_run_id: string | null;
}

export interface ListFilters {
  exact: Partial<Record<FilterName, string>>;
  since?: Date;
  until?: Date;
  /** null: every project. */
  projectIds: string[] | null;
}

const DT = "DateTime64(3, 'UTC')";

/** ClickHouse's "YYYY-MM-DD hh:mm:ss.sss" (UTC) as a Date. */
export const fromClickHouseTime = (value: string) => new Date(`${value.replace(" ", "T")}Z`);

let lastVersion = 0;
/** Strictly increasing per process: max(now ms, last + 1, current + 1). */
export function nextRowVersion(current = 0): number {
  lastVersion = Math.max(Date.now(), lastVersion + 1, current + 1);
  return lastVersion;
}

function where(filters: ListFilters, cursor?: Cursor): { clause: string; params: Record<string, unknown> } {
  const clauses = ["is_deleted = 0"];
  const params: Record<string, unknown> = {};
  if (filters.projectIds) {
    clauses.push("project_id IN {scope:Array(String)}");
    params.scope = filters.projectIds;
  }
  for (const [name, value] of Object.entries(filters.exact)) {
    if (value === undefined) continue;
    clauses.push(`${name} = {f_${name}:String}`);
    params[`f_${name}`] = value;
  }
  if (filters.since) {
    clauses.push(`occurred_at >= {since:${DT}}`);
    params.since = toClickHouseTime(filters.since);
  }
  if (filters.until) {
    clauses.push(`occurred_at < {until:${DT}}`);
    params.until = toClickHouseTime(filters.until);
  }
  if (cursor) {
    clauses.push(`(occurred_at, id) < ({c_at:${DT}}, {c_id:String})`);
    params.c_at = toClickHouseTime(cursor.timestamp);
    params.c_id = cursor.id;
  }
  return { clause: clauses.join(" AND "), params };
}


export async function insertRow(ch: ClickHouseClient, row: OpsLogRow): Promise<void> {
  await insertRows(ch, TABLE, [row]);
}

export async function findRow(ch: ClickHouseClient, id: string): Promise<OpsLogRow | undefined> {
  const [row] = await selectRows<OpsLogRow>(ch, `SELECT * FROM ${TABLE} FINAL WHERE id = {id:String} AND is_deleted = 0 LIMIT 1`, { id });
  return row;
}

/** Up to `limit` rows, newest first, after `cursor`. */
export function listRows(ch: ClickHouseClient, filters: ListFilters, limit: number, cursor?: Cursor): Promise<OpsLogRow[]> {
  const { clause, params } = where(filters, cursor);
  return selectRows<OpsLogRow>(ch, `SELECT * FROM ${TABLE} FINAL WHERE ${clause} ORDER BY occurred_at DESC, id DESC LIMIT {limit:UInt32}`, { ...params, limit });
}

export interface MetricsRow {
  event_count: number;
  deploys: number;
  projects: number;
  environments: number;
  team_members: number;
  deploys_by_environment: Record<string, number>;
}

/** The metrics of the first page, over the whole filter set. */
export async function metrics(ch: ClickHouseClient, filters: ListFilters): Promise<MetricsRow> {
  const { clause, params } = where(filters);
  const [totals, byEnv] = await Promise.all([
    selectRows<Record<string, number | string>>(ch, `
      SELECT count() AS event_count, countIf(entry_type = 'Deployed') AS deploys, uniqExact(project_slug) AS projects,
        uniqExact(environment_slug) AS environments, uniqExact(performed_by) AS team_members
      FROM ${TABLE} FINAL WHERE ${clause}`, params),
    selectRows<{ environment_slug: string; n: number | string }>(ch, `
      SELECT environment_slug, count() AS n FROM ${TABLE} FINAL WHERE ${clause} AND entry_type = 'Deployed'
      GROUP BY environment_slug ORDER BY environment_slug`, params),
  ]);
  const total = totals[0] ?? {};
  const n = (key: string) => Number(total[key] ?? 0);
  return {
    event_count: n("event_count"), deploys: n("deploys"), projects: n("projects"), environments: n("environments"),
    team_members: n("team_members"),
    deploys_by_environment: Object.fromEntries(byEnv.map((row) => [row.environment_slug, Number(row.n)])),
  };
}

export async function environmentExists(sql: import("../../infra/postgres.ts").Database, orgId: string, slug: string): Promise<boolean> {
  const found = await sql`select 1 from environments where organization_id = ${orgId} and slug = ${slug}`;
  return found.length > 0;
}
