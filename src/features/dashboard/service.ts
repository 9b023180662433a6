/**
 * The admin dashboard (reference-domain §16.4). Status probes PostgreSQL, ClickHouse and
 * Valkey concurrently, each bounded by a 2 s timeout, so one hung store never stalls the
 * page. Services list the API itself: the reference's sibling services (assistant,
 * gateway, MCP, Slack bot) are not separate deployments of this server. Metrics count the
 * last seven UTC days of activity in the organizations where the caller holds
 * admin:dashboard:read (D2; system admins see all).
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { Database } from "../../infra/postgres.ts";
import type { Valkey } from "../../infra/valkey.ts";
import { pingPostgres } from "../../infra/postgres.ts";
import { pingValkey } from "../../infra/valkey.ts";
import { pingClickHouse } from "../../infra/clickhouse.ts";
import { errorMessage, withTimeout } from "../../infra/retry.ts";
import type { Principal } from "../auth/principal.ts";
import { readableProjectIds } from "../operations-log/access.ts";
import type { DashboardMetricsJson, DashboardStatusJson, DatastoreStatusJson, MetricSeriesJson } from "./model.ts";
import { clickHouseSizes, eventCounts, operationsLogCounts, postgresSize, valkeyUsedMemory, type DayCount } from "./repo.ts";

export interface DashboardDeps {
  sql: Database;
  clickhouse: ClickHouseClient;
  valkey: Valkey;
  version: string;
  /** Per-check timeout; 2 s as the reference. */
  timeoutMs?: number;
}

export const DASHBOARD_PERMISSION = "admin:dashboard:read";
const WINDOW_DAYS = 7;

/** A liveness round trip, then a size probe whose failure leaves the store ok with an unknown size. */
async function probe(
  name: string, role: string, ms: number, ping: () => Promise<unknown>, size: () => Promise<{ size: number | null; total?: number | null }>,
): Promise<DatastoreStatusJson> {
  const started = performance.now();
  try {
    await withTimeout(ping(), ms, name);
  } catch (error) {
    return { name, role, status: "error", latency_ms: null, size_bytes: null, total_bytes: null, detail: errorMessage(error) };
  }
  const latency_ms = Math.round((performance.now() - started) * 10) / 10;
  const sizes = await withTimeout(size(), ms, name).catch(() => ({ size: null, total: null }));
  return { name, role, status: "ok", latency_ms, size_bytes: sizes.size, total_bytes: sizes.total ?? null, detail: null };
}

export async function dashboardStatus(deps: DashboardDeps): Promise<DashboardStatusJson> {
  const ms = deps.timeoutMs ?? 2000;
  const datastores = await Promise.all([
    probe("PostgreSQL", "Primary data", ms, () => pingPostgres(deps.sql), async () => ({ size: await postgresSize(deps.sql) })),
    probe("ClickHouse", "Timeseries data", ms, () => pingClickHouse(deps.clickhouse, ms), () => clickHouseSizes(deps.clickhouse)),
    probe("Valkey", "Cache, Session, & Queues", ms, () => pingValkey(deps.valkey), async () => ({ size: await valkeyUsedMemory(deps.valkey) })),
  ]);
  return {
    checked_at: new Date().toISOString(),
    datastores,
    services: [{ name: "API", status: "up", version: deps.version, latency_ms: 0, detail: null }],
  };
}

/** The window's days as YYYY-MM-DD (UTC), oldest first, and its start. */
export function windowOf(now: Date): { since: Date; days: string[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: WINDOW_DAYS }, (_, i) => new Date(today - (WINDOW_DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
  return { since: new Date(today - (WINDOW_DAYS - 1) * 86_400_000), days };
}

function series(rows: DayCount[], days: string[]): MetricSeriesJson {
  const byDay = new Map<string, number>();
  for (const row of rows) byDay.set(row.day.slice(0, 10), (byDay.get(row.day.slice(0, 10)) ?? 0) + Number(row.c));
  const daily = days.map((day) => byDay.get(day) ?? 0);
  return { total: daily.reduce((a, b) => a + b, 0), daily };
}

/**
 * Releases are Deployed operations-log rows, as in the reference. Pull requests are synced
 * by plugins (not served yet, D7): their series is zeros.
 */
export async function dashboardMetrics(deps: DashboardDeps, principal: Principal, now = new Date()): Promise<DashboardMetricsJson> {
  const { since, days } = windowOf(now);
  const projectIds = await readableProjectIds(deps.sql, principal, DASHBOARD_PERMISSION);
  const none = projectIds !== null && projectIds.length === 0;
  const [ops, events] = none
    ? [{ rows: [], deploys: [] }, []]
    : await Promise.all([operationsLogCounts(deps.clickhouse, since, projectIds), eventCounts(deps.clickhouse, since, projectIds)]);
  const byEnvironment = new Map<string, number>();
  for (const row of ops.deploys) if (row.slug) byEnvironment.set(row.slug, (byEnvironment.get(row.slug) ?? 0) + Number(row.c));
  return {
    since: since.toISOString(),
    releases: series(ops.deploys, days),
    events: series(events, days),
    ops_log: series(ops.rows, days),
    pull_requests: { total: 0, daily: days.map(() => 0) },
    releases_by_environment: [...byEnvironment].map(([slug, count]) => ({ slug, count }))
      .sort((a, b) => b.count - a.count || a.slug.localeCompare(b.slug)),
  };
}
