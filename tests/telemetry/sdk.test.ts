/**
 * When the SDK loads, and what it changes: without OTEL_* nothing of OpenTelemetry is
 * imported and nothing wraps the request path; with an exporter it is, and outbound fetch
 * calls carry a W3C traceparent naming their CLIENT span. Each case runs in a fresh
 * process, as OpenTelemetry's registration is process-wide.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { isolatedEnv } from "../helpers/app.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../helpers/otlp-receiver.ts";
import { emptyDir } from "../helpers/process.ts";
import { telemetryRequested } from "../../src/infra/telemetry.ts";
import { normaliseEndpoints } from "../../src/infra/telemetry/sdk.ts";

const FIXTURES = join(import.meta.dir, "fixtures");

/** Async: the receiver and the fetch target live in this process and must keep answering. */
async function runFixture(name: string, env: Record<string, string>) {
  const cwd = emptyDir();
  const proc = Bun.spawn([process.execPath, join(FIXTURES, name)], {
    cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env }, stdout: "pipe", stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${name} exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

describe("loading the SDK", () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    ({ env, drop } = await isolatedEnv());
    receiver = startOtlpReceiver();
  });
  afterAll(async () => {
    receiver?.stop();
    await drop?.();
  });

  test("OTEL_* unset: no OpenTelemetry module is imported, no wrapper sits on the request path, fetch is native", async () => {
    expect(await runFixture("loaded-modules.ts", env)).toEqual({ telemetry: false, modules: [], wrappers: 0, fetchPatched: false });
  });

  test("OTEL_TRACES_EXPORTER=none and OTEL_METRICS_EXPORTER=none: still nothing", async () => {
    const report = await runFixture("loaded-modules.ts", { ...env, OTEL_TRACES_EXPORTER: "none", OTEL_METRICS_EXPORTER: "none" });
    expect(report).toEqual({ telemetry: false, modules: [], wrappers: 0, fetchPatched: false });
  });

  test("an exporter configured: the SDK is loaded and the request path wrapped", async () => {
    const report = await runFixture("loaded-modules.ts", {
      ...env, OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    expect(report.telemetry).toBe(true);
    expect(report.modules.some((m: string) => m.startsWith("@opentelemetry/sdk-node/"))).toBe(true);
    expect(report.wrappers).toBe(1);
    expect(report.fetchPatched).toBe(true);
  });

  test("outbound fetch sends traceparent naming its CLIENT span, child of the active span; the query string stays out", async () => {
    let seen: Headers | undefined;
    const target = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => ((seen = request.headers), new Response("pong")) });
    try {
      const result = await runFixture("outbound-fetch.ts", {
        OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", TARGET_URL: `http://127.0.0.1:${target.port}/token?code=secret-code`,
      });
      expect(result.status).toBe(200);
      expect(seen?.get("x-kept")).toBe("yes");
      const header = seen?.get("traceparent") ?? "";
      const [, traceId, spanId] = header.split("-");
      expect(traceId).toBe(result.traceId);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.spanId === spanId));
      const client = spans.find((s) => s.spanId === spanId)!;
      expect(client.kind).toBe(3);
      expect(client.name).toBe("POST");
      expect(client.parentSpanId).toBe(result.spanId);
      expect(client.attributes).toMatchObject({
        "http.request.method": "POST", "http.response.status_code": 200, "url.full": `http://127.0.0.1:${target.port}/token`,
      });
      expect(JSON.stringify(spans)).not.toContain("secret-code");
    } finally {
      target.stop(true);
    }
  });
});

describe("the OTEL_* decisions", () => {
  test("which variables load the SDK", () => {
    expect(telemetryRequested({})).toBe(false);
    expect(telemetryRequested({ OTEL_SERVICE_NAME: "imbi", OTEL_RESOURCE_ATTRIBUTES: "a=b" })).toBe(false);
    expect(telemetryRequested({ OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(telemetryRequested({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(telemetryRequested({ OTEL_METRICS_EXPORTER: "otlp" })).toBe(true);
    expect(telemetryRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(telemetryRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(telemetryRequested({ OTEL_TRACES_EXPORTER: "otlp", OTEL_SDK_DISABLED: "true" })).toBe(false);
  });

  test("a host:port endpoint becomes a URL, http:// only when marked insecure", () => {
    const env: Record<string, string | undefined> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "jaeger:4318",
      OTEL_EXPORTER_OTLP_TRACES_INSECURE: "true",
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "https://metrics.example:4318/v1/metrics",
    };
    normaliseEndpoints(env);
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://jaeger:4318",
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "https://metrics.example:4318/v1/metrics",
    });
  });
});
