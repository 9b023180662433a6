// The stack directory and its state.json: which processes up.ts started (PID +
// kernel start time), on which ports, with which credentials. down/status only
// ever act on what is recorded here.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Proc } from "./proc.ts";

export const REPO_ROOT = resolve(import.meta.dir, "..");
export const DEFAULT_DIR = join(REPO_ROOT, ".stack");
export const DEFAULT_ENV_FILE = join(REPO_ROOT, ".env");

/** Start order; down stops in reverse. */
export const SERVICES = ["postgres", "valkey", "clickhouse", "s3", "smtp"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServiceRecord extends Proc {
  log: string;
  ports: Record<string, number>;
}

export interface StackState {
  version: 1;
  dir: string;
  startedAt: string;
  services: Partial<Record<ServiceName, ServiceRecord>>;
  postgres: {
    user: string;
    password: string;
    database: string;
    /** Usually <dir>/postgres; elsewhere when the postgres user cannot reach <dir>. */
    dataDir: string;
    /** System user PostgreSQL runs as (null: the invoking user). */
    runAs: string | null;
  };
  clickhouse: { user: string; password: string; database: string };
  s3: { accessKey: string; secretKey: string; bucket: string; region: string };
}

// A stack directory carries this marker; a directory without it is never wiped,
// so a mistyped --dir cannot delete someone's files.
const MARKER = ".imbi-stack";

export const statePath = (dir: string) => join(dir, "state.json");
export const logPath = (dir: string, name: ServiceName) => join(dir, `${name}.log`);

export function readState(dir: string): StackState | null {
  const file = statePath(dir);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as StackState;
}

/** Atomic, owner-only (it holds passwords). */
export function writeState(state: StackState): void {
  const file = statePath(state.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** True for a directory up.ts created (it carries the marker). */
export const isStackDir = (dir: string) => existsSync(join(dir, MARKER));

function assertRemovable(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !isStackDir(dir)) {
    throw new Error(`${dir} exists, is not empty and is not a stack directory (no ${MARKER}); refusing to touch it`);
  }
}

/** Creates an empty stack directory, wiping a previous stack directory there. */
export function freshDir(dir: string): void {
  assertRemovable(dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Traversable by others so the postgres system user can reach its data dir
  // when we run as root; secrets inside are files with owner-only modes.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, MARKER), "Throwaway service stack; safe to delete (bun stack/down.ts).\n");
}

export function removeDir(dir: string): void {
  assertRemovable(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Runs a CLI's main function; failures print one ERROR line (no stack trace) and exit 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

/** Shared `--dir` handling: absolute path, default <repo>/.stack. */
export function resolveDir(value: string | undefined): string {
  return resolve(value ?? DEFAULT_DIR);
}
