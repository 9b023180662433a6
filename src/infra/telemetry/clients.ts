/**
 * Spans for the clients called less often than PostgreSQL and Valkey: ClickHouse, S3 and
 * SMTP. Each is wrapped once, on the instance. ClickHouse inserts, S3 calls and SMTP sends
 * get a span with or without a parent: the analytics writer and the email worker run
 * outside any request, and their inserts and sends are worth a (one-span) trace of their
 * own. ClickHouse queries and commands outside a request (startup DDL, retries) get none.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import type { ClickHouseClient } from "@clickhouse/client";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Mailer } from "../mailer.ts";

function failed(span: Span, error: unknown): never {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  throw error;
}

/** Runs `fn` inside a CLIENT span (unless tracing is suppressed, as during an export). */
export async function inClientSpan<T>(
  tracer: Tracer, name: string, attributes: Attributes, fn: (span?: Span) => Promise<T>, requireParent = false,
): Promise<T> {
  const active = context.active();
  if (isTracingSuppressed(active) || (requireParent && !trace.getSpan(active))) return fn();
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      return failed(span, error);
    } finally {
      span.end();
    }
  });
}

type ClickHouseMethod = "insert" | "query" | "command" | "exec";

export function instrumentClickHouse(client: ClickHouseClient, tracer: Tracer): ClickHouseClient {
  for (const method of ["insert", "query", "command", "exec"] as const satisfies ClickHouseMethod[]) {
    const call = (client[method] as (params: Record<string, unknown>) => Promise<unknown>).bind(client);
    (client as unknown as Record<ClickHouseMethod, typeof call>)[method] = (params) => {
      const table = typeof params.table === "string" ? params.table : undefined;
      const query = typeof params.query === "string" ? params.query : "";
      const operation = method === "insert" ? "INSERT" : (/^\s*([A-Za-z]+)/.exec(query)?.[1]?.toUpperCase() ?? method.toUpperCase());
      const attributes: Attributes = {
        "db.system.name": "clickhouse", "db.operation.name": operation,
        ...(table ? { "db.collection.name": table } : {}),
        ...(query ? { "db.query.text": query.replace(/\s+/g, " ").trim().slice(0, 2048) } : {}),
        ...(Array.isArray(params.values) ? { "db.operation.batch.size": params.values.length } : {}),
      };
      return inClientSpan(tracer, table ? `${operation} ${table}` : operation, attributes, () => call(params), method !== "insert");
    };
  }
  return client;
}

/** An AWS SDK middleware around every command: `S3.PutObject`, with the bucket but never the key's content. */
export function instrumentS3(client: S3Client, tracer: Tracer): S3Client {
  client.middlewareStack.add((next, handlerContext) => (args) => {
    const operation = String(handlerContext.commandName ?? "Command").replace(/Command$/, "");
    const bucket = (args.input as { Bucket?: unknown }).Bucket;
    const attributes: Attributes = {
      "rpc.system": "aws-api", "rpc.service": "S3", "rpc.method": operation,
      ...(typeof bucket === "string" ? { "aws.s3.bucket": bucket } : {}),
    };
    return inClientSpan(tracer, `S3.${operation}`, attributes, async (span) => {
      const result = await next(args);
      const status = (result.response as { statusCode?: number }).statusCode;
      if (status !== undefined) span?.setAttribute("http.response.status_code", status);
      return result;
    });
  }, { step: "initialize", name: "imbiTelemetry" });
  return client;
}

/** SMTP sends; the recipients stay out of the span (they are personal data). */
export function instrumentMailer(mailer: Mailer, tracer: Tracer): Mailer {
  const send = mailer.sendMail.bind(mailer) as (options: unknown) => Promise<unknown>;
  const options = (mailer as unknown as { options?: { host?: string; port?: number } }).options ?? {};
  const attributes: Attributes = {
    "network.protocol.name": "smtp",
    ...(options.host ? { "server.address": options.host } : {}),
    ...(options.port ? { "server.port": options.port } : {}),
  };
  (mailer as unknown as { sendMail: typeof send }).sendMail = (message) => inClientSpan(tracer, "smtp send", attributes, () => send(message));
  return mailer;
}
