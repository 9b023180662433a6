/**
 * The OpenTelemetry SDK, loaded only when an exporter is configured (infra/telemetry.ts).
 * NodeSDK reads every OTEL_* variable itself (exporters, protocol, endpoints, headers,
 * sampler, batch sizes, resource attributes); this module only fills in what the spec
 * leaves to the application: the default service name and version, an endpoint written
 * as `host:port` (as the Python SDK accepts), and where the SDK's own errors go.
 */
import { DiagLogLevel, diag, metrics, trace, type DiagLogger } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { Logger } from "../logger.ts";
import type { Telemetry } from "../telemetry.ts";
import { VERSION } from "../../version.ts";
import { instrumentPostgres, postgresInUse } from "./postgres.ts";
import { instrumentValkey } from "./valkey.ts";
import { instrumentClickHouse, instrumentMailer, instrumentS3 } from "./clients.ts";
import { instrumentFetch } from "./fetch.ts";
import { createRequestTracing } from "./http.ts";
import { observeQueues } from "./metrics.ts";

type Env = Record<string, string | undefined>;

const ENDPOINTS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

const isTrue = (value: string | undefined) => (value ?? "").trim().toLowerCase() === "true";
const listed = (value: string | undefined) => (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** `collector:4318` → a URL: http:// when the matching *_INSECURE flag is true, else https://. */
export function normaliseEndpoints(env: Env): void {
  for (const name of ENDPOINTS) {
    const value = env[name]?.trim();
    if (!value || value.includes("://")) continue;
    const signal = name.replace("OTEL_EXPORTER_OTLP_", "").replace("ENDPOINT", "");
    const insecure = isTrue(env[`OTEL_EXPORTER_OTLP_${signal}INSECURE`] ?? env.OTEL_EXPORTER_OTLP_INSECURE);
    env[name] = `${insecure ? "http" : "https"}://${value}`;
  }
}

/** As NodeSDK decides: unset means `otlp`; a leading `none` means no traces. */
export function tracesEnabled(env: Env): boolean {
  return listed(env.OTEL_TRACES_EXPORTER)[0] !== "none";
}

/** As NodeSDK decides: unset means `otlp`; `none` anywhere means no metrics. */
export function metricsEnabled(env: Env): boolean {
  return !listed(env.OTEL_METRICS_EXPORTER).includes("none");
}

function hasServiceName(env: Env): boolean {
  return Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? "");
}

/** The SDK's own warnings (an unreachable collector, a bad variable) as structured log lines. */
function diagLogger(logger: Logger): DiagLogger {
  const log = (level: "error" | "warn") => (message: string, ...args: unknown[]) =>
    logger[level]({ component: "opentelemetry", detail: args.length ? args.map(String).join(" ") : undefined }, message);
  const ignore = () => {};
  return { error: log("error"), warn: log("warn"), info: ignore, debug: ignore, verbose: ignore };
}

export function startSdk(env: Env, logger: Logger): Telemetry {
  normaliseEndpoints(env);
  // OTEL_LOG_LEVEL, when set, makes the SDK log to the console instead (its documented behaviour).
  diag.setLogger(diagLogger(logger), DiagLogLevel.WARN);
  const tracing = tracesEnabled(env);
  const withMetrics = metricsEnabled(env);
  const sdk = new NodeSDK({
    // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (the env detector) override these defaults.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_VERSION]: VERSION })),
    ...(hasServiceName(env) ? {} : { serviceName: "imbi" }),
    // Logs stay JSON lines on stdout; no OTLP log exporter sits idle.
    logRecordProcessors: [],
  });
  sdk.start();

  const tracer = trace.getTracer("imbi", VERSION);
  const meter = metrics.getMeter("imbi", VERSION);
  const restoreFetch = tracing ? instrumentFetch(tracer) : () => {};
  const same = <T>(client: T) => client;
  logger.info({ traces: tracing, metrics: withMetrics }, "OpenTelemetry started");

  return {
    tracing,
    metrics: withMetrics,
    // Postgres is wrapped for metrics too: the pool gauge counts through the wrapper.
    instrumentPostgres: (sql) => (tracing || withMetrics ? instrumentPostgres(sql, tracing ? tracer : undefined) : sql),
    instrumentValkey: tracing ? (client) => instrumentValkey(client, tracer) : same,
    instrumentClickHouse: tracing ? (client) => instrumentClickHouse(client, tracer) : same,
    instrumentS3: tracing ? (client) => instrumentS3(client, tracer) : same,
    instrumentMailer: tracing ? (mailer) => instrumentMailer(mailer, tracer) : same,
    requests: createRequestTracing(tracer, withMetrics ? meter : undefined),
    observeQueues: (sources) => {
      if (withMetrics) observeQueues(meter, sources, postgresInUse);
    },
    shutdown: async () => {
      restoreFetch();
      try {
        await sdk.shutdown();
      } catch (error) {
        // An unreachable collector must not turn a clean stop into a crash.
        logger.warn({ component: "opentelemetry", err: error instanceof Error ? error.message : String(error) },
          "OpenTelemetry: the last spans or metrics could not be exported");
      }
    },
  };
}
