/**
 * OpenTelemetry, configured only by the standard OTEL_* variables (Imbi defines none of its
 * own). With no exporter asked for, nothing here loads the SDK: the instrumentation hooks
 * below stay undefined and every client is used as created, so tracing costs nothing.
 *
 * When an exporter is asked for, `startTelemetry()` imports the SDK (telemetry/sdk.ts) and
 * the explicit wrappers (Node's auto-instrumentation hooks are unreliable under Bun, so
 * each client is wrapped in one place: createPostgres, createValkey, ...). It must run
 * before the clients are created. The state is process-wide, like OpenTelemetry's API.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClickHouseClient } from "@clickhouse/client";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AnyElysia } from "elysia";
import type { Database } from "./postgres.ts";
import type { Valkey } from "./valkey.ts";
import type { Mailer } from "./mailer.ts";
import type { Logger } from "./logger.ts";
import { parseDotenv } from "../lib/dotenv.ts";

/** Elysia's higher-order function over its fetch handler (`app.wrap`). */
export type HigherOrderFunction = Parameters<AnyElysia["wrap"]>[0];

export interface RequestOutcome {
  method: string;
  /** The route template (`/organizations/:org_slug/projects`); empty when nothing matched. */
  route: string;
  status: number;
  principalId?: string;
  durationMs?: number;
}

export interface RequestTracing {
  /** Elysia higher-order function: one SERVER span per request, parented by an incoming traceparent. */
  wrap: HigherOrderFunction;
  /** Names, annotates and ends the request's span; returns its trace id for the access log. */
  finish(request: Request, outcome: RequestOutcome): string | undefined;
}

/** What the metrics read on each collection. */
export interface QueueSources {
  sql: Database;
  /** Rows buffered for ClickHouse (audit log, API-key usage, email log). */
  analyticsBuffered: () => number;
  /** Catalog changes waiting for the search indexer (features/search). */
  searchQueued: () => Promise<number>;
  poolMax: number;
}

export interface Telemetry {
  tracing: boolean;
  metrics: boolean;
  instrumentPostgres(sql: Database): Database;
  instrumentValkey(client: Valkey): Valkey;
  instrumentClickHouse(client: ClickHouseClient): ClickHouseClient;
  instrumentS3(client: S3Client): S3Client;
  instrumentMailer(mailer: Mailer): Mailer;
  requests: RequestTracing;
  observeQueues(sources: QueueSources): void;
  /** Flushes every pending span and metric to the exporters, then stops the SDK. */
  shutdown(): Promise<void>;
}

let active: Telemetry | undefined;

/** The running telemetry, or undefined when no exporter was configured. */
export function telemetry(): Telemetry | undefined {
  return active;
}

const listed = (value: string | undefined) => (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const exporterAsked = (value: string | undefined) => listed(value).some((name) => name !== "none");

/**
 * Whether the operator asked for telemetry: a traces or metrics exporter other than
 * `none`, or an OTLP endpoint (whose exporter is then the spec's default, `otlp`).
 * OTEL_SDK_DISABLED=true wins, as the spec says.
 */
export function telemetryRequested(env: Record<string, string | undefined>): boolean {
  if ((env.OTEL_SDK_DISABLED ?? "").trim().toLowerCase() === "true") return false;
  return exporterAsked(env.OTEL_TRACES_EXPORTER) || exporterAsked(env.OTEL_METRICS_EXPORTER)
    || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);
}

/**
 * OTEL_* variables from ./.env join `env` (the real environment wins), as Imbi's own
 * settings do: the SDK reads only process.env, and the compiled binary does not load .env.
 */
export function withDotenvOtel(env: Record<string, string | undefined>, cwd = process.cwd()): Record<string, string | undefined> {
  const path = join(cwd, ".env");
  if (!existsSync(path)) return env;
  for (const [name, value] of Object.entries(parseDotenv(readFileSync(path, "utf8")).values)) {
    if (name.startsWith("OTEL_") && env[name] === undefined) env[name] = value;
  }
  return env;
}

/** Starts the SDK when asked for (see telemetryRequested); reads and normalises `env` in place. */
export async function startTelemetry(env: Record<string, string | undefined>, logger: Logger): Promise<Telemetry | undefined> {
  if (active || !telemetryRequested(env)) return active;
  try {
    const { startSdk } = await import("./telemetry/sdk.ts");
    active = startSdk(env, logger);
  } catch (error) {
    // Observability must not take the service down: run untraced and say why.
    logger.error({ component: "opentelemetry", err: error instanceof Error ? error.message : String(error) },
      "OpenTelemetry could not start; running without it");
  }
  return active;
}

export async function stopTelemetry(): Promise<void> {
  const current = active;
  active = undefined;
  await current?.shutdown();
}
