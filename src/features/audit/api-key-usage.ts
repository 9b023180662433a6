/**
 * API-key usage metrics: one api_key_usage row (migrations/clickhouse/0004_api_key_usage.sql)
 * per API-key-authenticated request, after the response, through the buffered writer.
 * The auth plugin reports each API-key principal with its Request (`track`); a global
 * onAfterResponse hook finds it again by that Request and adds method, route template,
 * status and latency.
 */
import { Elysia } from "elysia";
import type { Principal } from "../auth/principal.ts";
import { toClickHouseTime, type ClickHouseWriter } from "../../infra/clickhouse-writer.ts";
import { requestMeta } from "../../http/request-context.ts";

export const API_KEY_USAGE_TABLE = "api_key_usage";

export function createApiKeyUsage(writer: ClickHouseWriter) {
  const calls = new WeakMap<Request, { principal: Principal; startedAt: number }>();

  function track(principal: Principal, request: Request): void {
    calls.set(request, { principal, startedAt: performance.now() });
  }

  const plugin = new Elysia({ name: "imbi.api-key-usage" })
    .onAfterResponse({ as: "global" }, (ctx) => {
      const call = calls.get(ctx.request);
      if (!call) return;
      // requestContext's derive measured from the start of the request; ours is the fallback.
      const started = (ctx as unknown as { startedAt?: number }).startedAt ?? call.startedAt;
      const meta = requestMeta(ctx);
      const { principal } = call;
      writer.write(API_KEY_USAGE_TABLE, {
        at: toClickHouseTime(new Date()),
        key_id: principal.apiKeyId ?? "",
        owner_type: principal.kind,
        owner_id: principal.id,
        owner_name: principal.name,
        method: ctx.request.method,
        route: ctx.route || new URL(ctx.request.url).pathname,
        status: typeof ctx.set.status === "number" ? ctx.set.status : 200,
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        ip: meta.ip,
        request_id: meta.requestId ?? "",
      });
    });

  return { plugin, track };
}
