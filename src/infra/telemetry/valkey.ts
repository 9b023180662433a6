/**
 * Spans for Valkey commands: every iovalkey command (single, pipelined, scripted) goes
 * through the client's `sendCommand`, so that one method is wrapped on the instance. The
 * span carries the command name only: arguments hold keys and values (session ids, rate
 * limit keys), which stay out of traces. As for PostgreSQL, only commands inside a traced
 * operation get a span. (Semantic conventions have no `valkey` system name; Valkey is `redis`.)
 */
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import type { Valkey } from "../valkey.ts";

interface SentCommand {
  name: string;
  promise: Promise<unknown>;
}

export function instrumentValkey(client: Valkey, tracer: Tracer): Valkey {
  const send = client.sendCommand.bind(client) as (command: SentCommand, ...rest: unknown[]) => unknown;
  const { host, port } = client.options;
  const base = { "db.system.name": "redis", ...(host ? { "server.address": host } : {}), ...(port ? { "server.port": port } : {}) };
  (client as unknown as { sendCommand: typeof send }).sendCommand = (command, ...rest) => {
    const parent = context.active();
    if (!trace.getSpan(parent) || isTracingSuppressed(parent)) return send(command, ...rest);
    const operation = command.name.toUpperCase();
    const span = tracer.startSpan(operation, { kind: SpanKind.CLIENT, attributes: { ...base, "db.operation.name": operation } }, parent);
    command.promise.then(() => span.end(), (error: Error) => {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.end();
    });
    return send(command, ...rest);
  };
  return client;
}
