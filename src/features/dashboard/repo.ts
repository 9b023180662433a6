/**
 * The dashboard's queries: datastore sizes and the 7-day activity counts in ClickHouse.
 * Activity is limited to `projectIds` (null: every row); user input never reaches SQL.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { Database } from "../../infra/postgres.ts";
import type { Valkey } from "../../infra/valkey.ts";
import { selectRows } from "../../infra/clickhouse-query.ts";
import { toClickHouseTime } from "../../infra/clickhouse-writer.ts";

export async function postgresSize(sql: Database): Promise<number | null> {
  const [row] = await sql<{ size: string | null }[]>`select pg_database_size(current_database())::text as size`;
  return row?.size == null ? null : Number(row.size);
}

/** Active parts: Imbi's database, and the whole server (system tables included). */
export async function clickHouseSizes(ch: ClickHouseClient): Promise<{ size: number | null; total: number | null }> {
  const [row] = await selectRows<{ size: string | number | null; total: string | number | null }>(ch, `
    SELECT sumIf(bytes_on_disk, database = currentDatabase()) AS size, sum(bytes_on_disk) AS total
    FROM system.parts WHERE active`, {});
  const number = (value: string | number | null | undefined) => (value == null ? null : Number(value));
  return { size: number(row?.size), total: number(row?.total) };
}

export async function valkeyUsedMemory(valkey: Valkey): Promise<number | null> {
  const match = /^used_memory:(\d+)\r?$/m.exec(await valkey.info("memory"));
  return match ? Number(match[1]) : null;
}

export interface DayCount {
  day: string;
  c: string | number;
}

const DT = "DateTime64(3, 'UTC')";

function scoped(projectIds: string[] | null): { clause: string; params: Record<string, unknown> } {
  return projectIds === null ? { clause: "", params: {} } : { clause: " AND project_id IN {scope:Array(String)}", params: { scope: projectIds } };
}

/** Per day since `since`: operations-log rows, and Deployed rows per environment. */
export async function operationsLogCounts(ch: ClickHouseClient, since: Date, projectIds: string[] | null) {
  const { clause, params } = scoped(projectIds);
  const base = `FROM operations_log FINAL WHERE is_deleted = 0 AND occurred_at >= {since:${DT}}${clause}`;
  const all = { ...params, since: toClickHouseTime(since) };
  const [rows, deploys] = await Promise.all([
    selectRows<DayCount>(ch, `SELECT toString(toDate(occurred_at)) AS day, count() AS c ${base} GROUP BY day`, all),
    selectRows<DayCount & { slug: string }>(ch, `
      SELECT toString(toDate(occurred_at)) AS day, environment_slug AS slug, count() AS c ${base} AND entry_type = 'Deployed'
      GROUP BY day, slug`, all),
  ]);
  return { rows, deploys };
}

/** Per day since `since`: event rows. */
export function eventCounts(ch: ClickHouseClient, since: Date, projectIds: string[] | null): Promise<DayCount[]> {
  const { clause, params } = scoped(projectIds);
  return selectRows<DayCount>(ch, `
    SELECT toString(toDate(recorded_at)) AS day, count() AS c FROM events FINAL WHERE recorded_at >= {since:${DT}}${clause}
    GROUP BY day`, { ...params, since: toClickHouseTime(since) });
}
