/**
 * The SERVER span of each request. Elysia's higher-order function (`wrap`) runs the whole
 * request, hooks and handler, inside the span's context, so every client span made while
 * handling it is its child. The span starts as `GET`; once Elysia knows the route,
 * `finish()` (called from the access-log hook) names it `GET /organizations/:org_slug`,
 * records status and principal id, and ends it. A W3C `traceparent` on the request is
 * the span's parent (the SDK's sampler decides, by default following the parent).
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Meter, type Span, type Tracer } from "@opentelemetry/api";
import type { HigherOrderFunction, RequestOutcome, RequestTracing } from "../telemetry.ts";

const headerGetter = {
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
  keys: (headers: Headers) => [...headers.keys()],
};

/** The semantic conventions' advice for http.server.request.duration (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export function createRequestTracing(tracer: Tracer, meter: Meter | undefined): RequestTracing {
  const spans = new WeakMap<Request, Span>();
  const duration = meter?.createHistogram("http.server.request.duration", {
    unit: "s", description: "Duration of HTTP server requests", advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });

  const wrap = ((handle: (request: Request) => unknown) => (request: Request) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const url = new URL(request.url);
    const span = tracer.startSpan(request.method, {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": request.method, "url.path": url.pathname, "url.scheme": url.protocol.replace(":", ""),
        ...(request.headers.get("user-agent") ? { "user_agent.original": request.headers.get("user-agent")! } : {}),
      },
    }, parent);
    spans.set(request, span);
    return context.with(trace.setSpan(parent, span), handle, undefined, request);
  }) as unknown as HigherOrderFunction;

  function finish(request: Request, outcome: RequestOutcome): string | undefined {
    const span = spans.get(request);
    if (!span) return undefined;
    spans.delete(request);
    const attributes = {
      "http.request.method": outcome.method, "http.response.status_code": outcome.status,
      ...(outcome.route ? { "http.route": outcome.route } : {}),
    };
    span.updateName(outcome.route ? `${outcome.method} ${outcome.route}` : outcome.method);
    span.setAttributes(attributes);
    if (outcome.principalId) span.setAttribute("enduser.id", outcome.principalId);
    // Server spans: a 4xx is the client's doing, not an error of this service.
    if (outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    if (duration && outcome.durationMs !== undefined) duration.record(outcome.durationMs / 1000, attributes);
    return span.spanContext().traceId;
  }

  return { wrap, finish };
}
