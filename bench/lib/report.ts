/** Prints a result and appends it, with the machine and commit, to bench/results.jsonl. */
import { appendFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "./load.ts";

function commit(): string {
  const git = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { stderr: "ignore" });
  return git.success ? git.stdout.toString().trim() : "unknown";
}

export function report(scenario: string, settings: Record<string, unknown>, result: LoadResult): void {
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memory_gib: Math.round(totalmem() / 2 ** 30) };
  console.log(`\n${scenario}  (${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(", ")})`);
  console.log(`  requests/s  ${result.rps}`);
  console.log(`  latency ms  p50 ${result.p50}  p90 ${result.p90}  p99 ${result.p99}  max ${result.max}`);
  console.log(`  requests    ${result.requests}  errors ${result.errors}`);
  const line = { at: new Date().toISOString(), scenario, commit: commit(), bun: Bun.version, machine, settings, ...result };
  appendFileSync(join(import.meta.dir, "..", "results.jsonl"), `${JSON.stringify(line)}\n`);
}
