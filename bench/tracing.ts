/**
 * Benchmark: the cost of tracing on authenticated GET /users/me (JWT). Real `imbi serve`
 * processes in turn, each with its own fresh database on the stack:
 *   - off: no OTEL_* variable, so the SDK is never loaded;
 *   - on: OTEL_TRACES_EXPORTER=otlp (http/protobuf), every request sampled
 *     (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG 1.0), exported to an OTLP/HTTP
 *     receiver in this process (which only counts what it gets, to stay off the cores);
 *   - on, sampling 0.1: the same with one trace in ten recorded, a common production choice.
 *   bun bench/tracing.ts [--connections 32] [--seconds 10] [--rounds 1]
 * With --rounds N the scenarios alternate N times, so drift in the machine's load hits both.
 * The receiver and the load generator share the machine with the server: the "on" figure
 * includes the cost of receiving the spans on the same cores.
 */
import { parseArgs } from "node:util";
import { startOtlpReceiver } from "../tests/helpers/otlp-receiver.ts";
import { startSignedInServer } from "./lib/signed-in-server.ts";
import { runLoad } from "./lib/load.ts";
import { report } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    connections: { type: "string", default: "32" }, seconds: { type: "string", default: "10" }, rounds: { type: "string", default: "1" },
  },
});
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const seconds = Number(values.seconds);

const receiver = startOtlpReceiver({ decode: false });
const scenarios: [string, Record<string, string>][] = [
  ["GET /users/me, tracing off", {}],
  ...["1.0", "0.1"].map((ratio): [string, Record<string, string>] => [`GET /users/me, tracing on (sampling ${ratio}, OTLP)`, {
    OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: ratio,
  }]),
];

try {
  for (const [scenario, otel] of Array.from({ length: rounds }, () => scenarios).flat()) {
    const { server, accessToken, close } = await startSignedInServer(otel);
    try {
      const [requestsBefore, bytesBefore] = [receiver.contentTypes.length, receiver.bytes];
      const result = await runLoad({
        url: `${server.base}/users/me`, connections, durationMs: seconds * 1000, warmupMs: 2000,
        init: { headers: { authorization: `Bearer ${accessToken}` } },
      });
      report(scenario, { connections, seconds }, result);
      await Bun.sleep(1000); // the batch processor's last scheduled export
      const kib = Math.round((receiver.bytes - bytesBefore) / 1024);
      console.log(`  OTLP exports received ${receiver.contentTypes.length - requestsBefore} (${kib} KiB)`);
    } finally {
      await close();
    }
  }
} finally {
  receiver.stop();
}
