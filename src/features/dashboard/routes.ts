/**
 * /admin/dashboard (reference-domain §16.4): system health and 7-day activity for the admin
 * overview, with admin:dashboard:read (in any organization; metrics are limited to the
 * organizations where the caller holds it).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { VERSION } from "../../version.ts";
import { DashboardMetrics, DashboardStatus, ErrorBody } from "./model.ts";
import { DASHBOARD_PERMISSION, dashboardMetrics, dashboardStatus, type DashboardDeps } from "./service.ts";

const tags = ["Admin"];
const errors = { 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

export function dashboardRoutes(ctx: AppContext) {
  const deps: DashboardDeps = { sql: ctx.infra.sql, clickhouse: ctx.infra.clickhouse, valkey: ctx.infra.valkey, version: VERSION };
  return new Elysia({ name: "imbi.dashboard", prefix: "/admin/dashboard" })
    .use(ctx.auth)
    .get("/status", () => dashboardStatus(deps), {
      permission: DASHBOARD_PERMISSION,
      response: { 200: DashboardStatus, ...errors },
      detail: { tags, summary: "Datastore and service health, each check bounded by 2 s" },
    })
    .get("/metrics", ({ principal }) => dashboardMetrics(deps, principal), {
      permission: DASHBOARD_PERMISSION,
      response: { 200: DashboardMetrics, ...errors },
      detail: { tags, summary: "Releases, events, operations-log entries and pull requests per day over the last 7 UTC days" },
    });
}
