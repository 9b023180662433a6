/**
 * Gauges read at each metric collection (OTEL_METRIC_EXPORT_INTERVAL): PostgreSQL
 * connections in use against the pool's maximum, and the depth of the background queues
 * that a replica could be holding work in (buffered analytics rows, the email outbox, the
 * search indexing queue).
 */
import type { Meter } from "@opentelemetry/api";
import type { QueueSources } from "../telemetry.ts";

/** Each queue count is one query per collection; a slow database must not stall the export. */
const COUNT_TIMEOUT_MS = 2000;

export function observeQueues(meter: Meter, sources: QueueSources, postgresInUse: () => number): void {
  const inUse = meter.createObservableGauge("db.client.connection.count", {
    description: "PostgreSQL connections in use (by queries in flight, open transactions and reservations)", unit: "{connection}",
  });
  const pending = meter.createObservableGauge("db.client.connection.pending_requests", {
    description: "PostgreSQL queries waiting for a free connection", unit: "{request}",
  });
  const max = meter.createObservableGauge("db.client.connection.max", { description: "PostgreSQL pool size", unit: "{connection}" });
  const analytics = meter.createObservableGauge("imbi.analytics.buffered", {
    description: "Analytics rows (audit log, API-key usage, email log) buffered for ClickHouse", unit: "{row}",
  });
  const outbox = meter.createObservableGauge("imbi.email.outbox.pending", { description: "Emails waiting in the outbox", unit: "{message}" });
  const pool = { "db.system.name": "postgresql", "db.client.connection.pool.name": "imbi" };

  // A query past the pool size waits in postgres.js's queue: it is pending, not using a connection.
  inUse.addCallback((result) => result.observe(Math.min(postgresInUse(), sources.poolMax), { ...pool, "db.client.connection.state": "used" }));
  pending.addCallback((result) => result.observe(Math.max(0, postgresInUse() - sources.poolMax), pool));
  max.addCallback((result) => result.observe(sources.poolMax, pool));
  analytics.addCallback((result) => result.observe(sources.analyticsBuffered()));
  const searchQueue = meter.createObservableGauge("imbi.search.queue.pending", {
    description: "Catalog changes waiting to be indexed for search", unit: "{change}",
  });
  /** Observes a count, or nothing when the database does not answer in time. */
  const observeCount = (count: () => Promise<number>) => async (result: { observe(value: number): void }) => {
    const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, COUNT_TIMEOUT_MS).unref());
    const n = await Promise.race([count().catch(() => undefined), timeout]);
    if (n !== undefined) result.observe(n);
  };
  outbox.addCallback(observeCount(async () =>
    (await sources.sql<{ n: number }[]>`select count(*)::int as n from email_outbox where status = 'pending'`)[0]!.n));
  searchQueue.addCallback(observeCount(sources.searchQueued));
}
