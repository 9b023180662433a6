/** Admin dashboard responses (reference-domain §16.4). */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const DatastoreStatus = t.Object({
  name: t.String(),
  role: t.String(),
  status: t.Union([t.Literal("ok"), t.Literal("error")]),
  latency_ms: nullable(t.Number()),
  size_bytes: nullable(t.Number({ description: "Bytes on disk (PostgreSQL database, Imbi's ClickHouse database) or resident memory (Valkey)" })),
  total_bytes: nullable(t.Number({ description: "ClickHouse: the whole server's bytes on disk" })),
  detail: nullable(t.String()),
});
export type DatastoreStatusJson = Static<typeof DatastoreStatus>;

export const ServiceStatus = t.Object({
  name: t.String(),
  status: t.Union([t.Literal("up"), t.Literal("down")]),
  version: nullable(t.String()),
  latency_ms: nullable(t.Number()),
  detail: nullable(t.String()),
});

export const DashboardStatus = t.Object({
  checked_at: t.String(),
  datastores: t.Array(DatastoreStatus),
  services: t.Array(ServiceStatus),
});
export type DashboardStatusJson = Static<typeof DashboardStatus>;

const MetricSeries = t.Object({
  total: t.Integer(),
  daily: t.Array(t.Integer(), { description: "Per UTC day, oldest first" }),
});
export type MetricSeriesJson = Static<typeof MetricSeries>;

export const DashboardMetrics = t.Object({
  since: t.String({ description: "Start of the window: midnight UTC six days ago" }),
  releases: MetricSeries,
  events: MetricSeries,
  ops_log: MetricSeries,
  pull_requests: MetricSeries,
  releases_by_environment: t.Array(t.Object({ slug: t.String(), count: t.Integer() })),
});
export type DashboardMetricsJson = Static<typeof DashboardMetrics>;

export const ErrorBody = t.Object({ detail: t.Unknown() });
