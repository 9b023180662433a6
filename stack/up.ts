// Starts the native service stack (no Docker): PostgreSQL 15 + pgvector, Valkey,
// ClickHouse (chdb adapter), S3 (s3rver) and SMTP capture, each on an ephemeral
// 127.0.0.1 port, in a throwaway directory, then writes their settings to .env.
//
// Usage: bun stack/up.ts [--dir DIR] [--env-file PATH] [--timeout SECONDS]
// Processes are detached and outlive this command; stop them with bun stack/down.ts.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { mergeEnvFile, stackEnv } from "./env-file.ts";
import { isHealthy, removeStackFiles, stopStack } from "./lifecycle.ts";
import { freePorts } from "./ports.ts";
import { SERVICE_IMPLS } from "./services/index.ts";
import {
  DEFAULT_ENV_FILE, freshDir, logPath, readState, resolveDir, runCli, SERVICES, writeState, type StackState,
} from "./state.ts";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    "env-file": { type: "string" },
    timeout: { type: "string", default: "60" },
  },
});
const dir = resolveDir(values.dir);
const envFile = resolve(values["env-file"] ?? DEFAULT_ENV_FILE);
const timeoutMs = Number(values.timeout) * 1000;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

function writeEnv(state: StackState): void {
  const keys = mergeEnvFile(envFile, stackEnv(state));
  console.log(`wrote ${keys.length} keys to ${envFile}: ${keys.join(", ")}`);
}

/** Returns false when a healthy stack is already running there (nothing to start). */
async function clearPrevious(): Promise<boolean> {
  const previous = readState(dir);
  if (previous === null) return true;
  if (await isHealthy(previous)) {
    console.log(`stack already running in ${dir}; nothing started`);
    writeEnv(previous);
    return false;
  }
  console.log(`found a stopped or partial stack in ${dir}: cleaning it up and starting fresh`);
  const survivors = await stopStack(previous);
  if (survivors.length > 0) throw new Error(`could not stop ${survivors.join(", ")}; see bun stack/status.ts`);
  removeStackFiles(previous);
  return true;
}

function initialState(): StackState {
  // Hex secrets: safe inside URLs without escaping.
  const secret = () => randomBytes(16).toString("hex");
  return {
    version: 1,
    dir,
    startedAt: new Date().toISOString(),
    services: {},
    postgres: { user: "imbi", password: secret(), database: "imbi", dataDir: `${dir}/postgres`, runAs: null },
    clickhouse: { user: "default", password: secret(), database: "imbi" },
    // s3rver only accepts its built-in credentials.
    s3: { accessKey: "S3RVER", secretKey: "S3RVER", bucket: "imbi-uploads", region: "us-east-1" },
  };
}

runCli(async () => {
  if (!(await clearPrevious())) return;
  freshDir(dir);
  const state = initialState();
  writeState(state);

  const services = SERVICES.map((name) => SERVICE_IMPLS[name]);
  const ports = await freePorts(services.reduce((n, s) => n + s.portNames.length, 0));
  console.log(`starting stack in ${dir}`);

  // All services start concurrently; allSettled (not all) so that nothing is
  // still spawning when a failure triggers the cleanup below.
  const results = await Promise.allSettled(
    services.map(async (service) => {
      const assigned = Object.fromEntries(service.portNames.map((p) => [p, ports.shift()!]));
      await service.start({
        state,
        ports: assigned,
        log: logPath(dir, service.name),
        timeoutMs,
        spawned(record) {
          state.services[service.name] = record;
          writeState(state);
        },
      });
      const shown = Object.entries(assigned).map(([k, v]) => `${k}=${v}`).join(" ");
      console.log(`  ready: ${service.name.padEnd(10)} ${shown.padEnd(24)} (${elapsed()})`);
    }),
  );
  writeState(state);

  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length > 0) {
    for (const err of failures) console.error(`\nERROR: ${err.message}`);
    console.error(`\nstopping what was started; logs are kept in ${dir}`);
    await stopStack(state, (line) => console.error(line));
    process.exit(1);
  }

  writeEnv(state);
  console.log(`stack up in ${elapsed()}; stop it with: bun stack/down.ts${values.dir ? ` --dir ${dir}` : ""}`);
});
