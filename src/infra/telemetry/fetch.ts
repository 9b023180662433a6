/**
 * Outbound HTTP: `fetch` is the one client every outbound call uses (OAuth providers,
 * webhooks, `imbi info`), so the global is wrapped once, while telemetry runs. Each call
 * gets a CLIENT span and a W3C `traceparent` header naming it. The URL is recorded without
 * its query string, which can hold authorization codes. The OTLP exporters send with
 * node:http, not fetch, so exports are not traced.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";

const headerSetter = { set: (headers: Headers, key: string, value: string) => headers.set(key, value) };

function target(input: Request | string | URL): { method?: string; url: URL | undefined } {
  const raw = input instanceof Request ? input.url : String(input);
  try {
    return { method: input instanceof Request ? input.method : undefined, url: new URL(raw) };
  } catch {
    return { url: undefined };
  }
}

/** Installs the wrapper; returns the function that puts the original back. */
export function instrumentFetch(tracer: Tracer): () => void {
  const original = globalThis.fetch;
  const traced = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const parent = context.active();
    if (isTracingSuppressed(parent)) return original(input, init);
    const { method: requestMethod, url } = target(input);
    const method = (init?.method ?? requestMethod ?? "GET").toUpperCase();
    const span = tracer.startSpan(method, {
      kind: SpanKind.CLIENT,
      attributes: {
        "http.request.method": method,
        ...(url ? {
          "url.full": `${url.origin}${url.pathname}`, "server.address": url.hostname,
          "server.port": Number(url.port) || (url.protocol === "https:" ? 443 : 80),
        } : {}),
      },
    }, parent);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    propagation.inject(trace.setSpan(parent, span), headers, headerSetter);
    try {
      const response = await original(input, { ...init, headers });
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  };
  globalThis.fetch = Object.assign(traced, { preconnect: original.preconnect }) as typeof fetch;
  return () => {
    globalThis.fetch = original;
  };
}
