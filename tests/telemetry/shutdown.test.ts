/**
 * Spans of the last requests before SIGTERM reach the collector: the batch processor only
 * exports on shutdown here (a one-minute schedule), and the receiver holds every answer
 * back for a second, so the process must really wait for the export before it exits.
 * Run against the source and against the compiled binary.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import { startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { startTracedServer, traceparent } from "./traced-server.ts";

const EXPORT_DELAY_MS = 1000;

async function lastSpansArrive(binary?: string, protocol = "http/protobuf") {
  const receiver = startOtlpReceiver({ delayMs: EXPORT_DELAY_MS });
  const traced = await startTracedServer({
    OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: "60000",
  }, binary);
  try {
    const parent = traceparent();
    const response = await fetch(`${traced.server.base}/status`, { headers: { traceparent: parent.header } });
    expect(response.status).toBe(200);
    expect(receiver.spans).toHaveLength(0);
    const started = performance.now();
    expect(await traced.stop()).toBe(0);
    // Exit came after the (delayed) answer, so the export was awaited, not just started.
    expect(performance.now() - started).toBeGreaterThanOrEqual(EXPORT_DELAY_MS);
    const root = receiver.spans.find((s) => s.traceId === parent.traceId && s.kind === 2);
    expect(root?.name).toBe("GET /status");
    expect(root?.parentSpanId).toBe(parent.spanId);
    expect(traced.server.lines.some((l) => l.msg === "stopped")).toBe(true);
  } finally {
    await traced.close();
    receiver.stop();
  }
}

describe("SIGTERM flushes the last spans", () => {
  test("from source (http/protobuf)", () => lastSpansArrive(), 60_000);

  test("with the collector unreachable, the server still stops cleanly, within the export timeout, and says so", async () => {
    const dead = startOtlpReceiver();
    const url = dead.url;
    dead.stop();
    const traced = await startTracedServer({
      OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_BSP_SCHEDULE_DELAY: "60000", OTEL_EXPORTER_OTLP_TIMEOUT: "2000",
    });
    try {
      expect((await fetch(`${traced.server.base}/status`)).status).toBe(200);
      const started = performance.now();
      expect(await traced.stop()).toBe(0);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(traced.server.lines.some((l) => l.component === "opentelemetry" && l.level === "warn")).toBe(true);
    } finally {
      await traced.close();
    }
  }, 60_000);
  test("from source (http/json)", () => lastSpansArrive(undefined, "http/json"), 60_000);

  describe("the compiled binary", () => {
    const dir = mkdtempSync(join(tmpdir(), "imbi-otel-bin-"));
    const binary = join(dir, "imbi");
    beforeAll(() => buildBinary({ entry: "src/main.ts", outfile: binary }), 180_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test("exports its last spans before exiting", () => lastSpansArrive(binary), 60_000);
  });
});
