/**
 * Per-request plumbing every route shares: a request id (echoed as X-Request-Id), the
 * trusted client info, and one structured access-log line per response. With OpenTelemetry
 * running, each request also runs inside its SERVER span (infra/telemetry/http.ts), which
 * is named after the route and ended here, and the access line carries its trace id.
 */
import { Elysia } from "elysia";
import { nanoid } from "nanoid";
import type { Logger } from "../infra/logger.ts";
import { createIpMatcher } from "../lib/ip.ts";
import { resolveClient } from "./client-info.ts";
import type { RequestMeta } from "../infra/events.ts";
import { telemetry } from "../infra/telemetry.ts";

const INCOMING_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Health probes hit /status constantly; their access lines go to debug. */
const QUIET_PATHS = /\/status$/;

export function requestContext(options: { logger: Logger; forwardedAllowIps: string }) {
  const trusted = createIpMatcher(options.forwardedAllowIps);
  const tracing = telemetry()?.requests;
  const plugin = new Elysia({ name: "imbi.request-context" });
  // Only with telemetry: without it, no wrapper sits on the request path at all.
  if (tracing) plugin.wrap(tracing.wrap);
  return plugin
    .derive({ as: "global" }, ({ request, server, set }) => {
      const incoming = request.headers.get("x-request-id");
      const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : nanoid();
      set.headers["x-request-id"] = requestId;
      const peer = server?.requestIP(request)?.address ?? "";
      return { requestId, client: resolveClient(request, peer, trusted), startedAt: performance.now() };
    })
    .onAfterResponse({ as: "global" }, (ctx) => {
      const { request, set, route } = ctx;
      // derive() has not run when routing failed before it (e.g. 404); fall back gracefully.
      const { requestId, client, startedAt } = ctx as unknown as Partial<{ requestId: string; client: { ip: string }; startedAt: number }>;
      const path = new URL(request.url).pathname;
      const status = typeof set.status === "number" ? set.status : 200;
      const durationMs = startedAt === undefined ? undefined : Math.round((performance.now() - startedAt) * 100) / 100;
      const principalId = (ctx as unknown as { principal?: { id: string } }).principal?.id;
      const traceId = tracing?.finish(request, { method: request.method, route: route || "", status, principalId, durationMs });
      const line = {
        request_id: requestId, trace_id: traceId, method: request.method, path, route: route || undefined, status,
        duration_ms: durationMs, client_ip: client?.ip, user_agent: request.headers.get("user-agent") ?? undefined,
      };
      if (QUIET_PATHS.test(path) && status < 400) options.logger.debug(line, "request");
      else options.logger.info(line, "request");
    });
}

/** The request's client info for services (events, sessions); features get it without Context. */
export function requestMeta(ctx: { request: Request }): RequestMeta {
  const derived = ctx as unknown as { client?: { ip: string }; requestId?: string };
  return {
    ip: derived.client?.ip ?? "",
    userAgent: ctx.request.headers.get("user-agent") ?? undefined,
    requestId: derived.requestId,
  };
}
