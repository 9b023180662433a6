/**
 * Benchmark: the compiled binary's cold start (process spawn → first 200 from /status) and
 * its resident memory once idle. Builds the binary, then starts it `--runs` times against
 * one fresh database on the stack: the first start applies every migration, the others
 * find none pending (an ordinary restart). Then the same restarts with tracing on
 * (OTEL_TRACES_EXPORTER=otlp to an in-process receiver), to show what loading the SDK costs.
 *   bun bench/binary-startup.ts [--runs 5] [--idle-seconds 3]
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildBinary } from "../scripts/build.ts";
import { isolatedEnv } from "../tests/helpers/app.ts";
import { startOtlpReceiver } from "../tests/helpers/otlp-receiver.ts";
import { emptyDir } from "../tests/helpers/process.ts";
import { deadPort } from "../tests/helpers/tcp-proxy.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { runs: { type: "string", default: "5" }, "idle-seconds": { type: "string", default: "3" } },
});
const runs = Number(values.runs);
const idleMs = Number(values["idle-seconds"]) * 1000;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024 * 10) / 10;
}

interface Run {
  startMs: number;
  idleRssMiB: number;
}

async function startOnce(binary: string, env: Record<string, string>): Promise<Run> {
  const cwd = emptyDir();
  const port = deadPort();
  const started = performance.now();
  const proc = Bun.spawn([binary, "serve"], {
    cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env, IMBI_API_HOST: "127.0.0.1", IMBI_API_PORT: String(port) },
    stdin: "ignore", stdout: "ignore", stderr: "pipe",
  });
  try {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (proc.exitCode !== null) throw new Error(`imbi serve exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
      await Bun.sleep(5);
    }
    const startMs = Math.round(performance.now() - started);
    await Bun.sleep(idleMs);
    return { startMs, idleRssMiB: rssMiB(proc.pid) };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

const dir = mkdtempSync(join(tmpdir(), "imbi-bench-bin-"));
const binary = join(dir, "imbi");
const built = await buildBinary({ outfile: binary });
console.log(`built ${binary}: ${Math.round(built.sizeBytes / 2 ** 20)} MiB in ${Math.round(built.buildMs)} ms`);
const { env, drop } = await isolatedEnv({ IMBI_API_LOG_LEVEL: "warn" });
const receiver = startOtlpReceiver();
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;
try {
  const summary: Record<string, number> = { binary_mib: Math.round(built.sizeBytes / 2 ** 20) };
  const series: [string, Record<string, string>][] = [
    ["tracing off", {}],
    ["tracing on", { OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }],
  ];
  for (const [name, otel] of series) {
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await startOnce(binary, { ...env, ...otel });
      results.push(run);
      const note = summary.first_start_ms === undefined && i === 0 ? " (applies migrations)" : "";
      console.log(`  ${name}, run ${i + 1}${note}: first /status after ${run.startMs} ms, idle RSS ${run.idleRssMiB} MiB`);
    }
    const key = name.replace(" ", "_");
    // The very first start (migrations) is reported on its own, not in the restart figures.
    const restarts = summary.first_start_ms === undefined ? results.slice(1) : results;
    summary.first_start_ms ??= results[0]!.startMs;
    summary[`${key}_restart_median_ms`] = median(restarts.map((r) => r.startMs));
    summary[`${key}_restart_min_ms`] = Math.min(...restarts.map((r) => r.startMs));
    summary[`${key}_restart_max_ms`] = Math.max(...restarts.map((r) => r.startMs));
    summary[`${key}_idle_rss_median_mib`] = median(results.map((r) => r.idleRssMiB));
  }
  console.log(`\ncompiled binary cold start  (runs=${runs}, idle=${idleMs / 1000}s, binary ${summary.binary_mib} MiB)`);
  console.log(`  first start (applies migrations)  ${summary.first_start_ms} ms`);
  for (const [name] of series) {
    const key = name.replace(" ", "_");
    console.log(`  ${name.padEnd(12)} restart to first /status  median ${summary[`${key}_restart_median_ms`]} ms`
      + `  min ${summary[`${key}_restart_min_ms`]}  max ${summary[`${key}_restart_max_ms`]};  idle RSS median ${summary[`${key}_idle_rss_median_mib`]} MiB`);
  }
  const git = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { stderr: "ignore" });
  const line = {
    at: new Date().toISOString(), scenario: "binary cold start", commit: git.success ? git.stdout.toString().trim() : "unknown", bun: Bun.version,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memory_gib: Math.round(totalmem() / 2 ** 30) },
    settings: { runs, idle_seconds: idleMs / 1000 }, ...summary,
  };
  appendFileSync(join(import.meta.dir, "results.jsonl"), `${JSON.stringify(line)}\n`);
} finally {
  receiver.stop();
  await drop();
  rmSync(dir, { recursive: true, force: true });
}
