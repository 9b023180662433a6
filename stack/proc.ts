// Process plumbing shared by up/down/status: detached spawning, identity-checked
// liveness (a recorded PID is only "ours" while its kernel start time matches, so a
// recycled PID is never signalled), readiness polling and stopping.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";

export interface Proc {
  pid: number;
  /** Kernel start time (clock ticks since boot, /proc/PID/stat field 22). */
  startTime: number;
}

/** Field 3 (state) and 22 (starttime) of /proc/PID/stat, or null if gone. */
function procStat(pid: number): { state: string; startTime: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", startTime: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** Alive = exists, is not a zombie, and is the same process we started. */
export function isAlive(proc: Proc): boolean {
  const stat = procStat(proc.pid);
  return stat !== null && stat.state !== "Z" && stat.startTime === proc.startTime;
}

/** PostgreSQL refuses to run as root: wrap a command to run as `user` (exec, same PID). */
export function asUser(user: string | null, cmd: string[]): string[] {
  if (user === null) return cmd;
  return ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups", "--reset-env", "--", ...cmd];
}

export interface SpawnOptions {
  cmd: string[];
  log: string;
  cwd: string;
  env?: Record<string, string | undefined>;
}

/**
 * Starts a process in its own session (setsid) with stdout/stderr appended to
 * `log`, and lets it outlive this process.
 */
export async function spawnDetached({ cmd, log, cwd, env }: SpawnOptions): Promise<Proc> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new Error("empty command");
  const out = openSync(log, "a");
  try {
    const child = spawn(file, args, { detached: true, stdio: ["ignore", out, out], cwd, env: env ?? process.env });
    await new Promise((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => reject(new Error(`cannot start ${file}: ${err.message}`)));
    });
    child.unref();
    const pid = child.pid!;
    const stat = procStat(pid);
    if (stat === null) throw new Error(`${file} exited immediately; see ${log}`);
    return { pid, startTime: stat.startTime };
  } finally {
    closeSync(out);
  }
}

/** Runs a command to completion; throws with its output if it fails. */
export async function run(cmd: string[], opts: { cwd?: string } = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited with ${code}\n${stdout}${stderr}`.trimEnd());
  return stdout;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return "(no log file)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Polls `probe` until it resolves, failing fast if the process dies and after
 * `timeoutMs` otherwise. Errors name the service and point at its log.
 */
export async function waitUntilReady(
  name: string,
  proc: Proc,
  log: string,
  probe: () => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (!isAlive(proc)) {
      throw new Error(`${name} (pid ${proc.pid}) exited during startup; see ${log}:\n${tail(log)}`);
    }
    try {
      await probe();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(150);
  }
  throw new Error(
    `${name} did not become ready within ${timeoutMs / 1000}s (last error: ${lastError}); see ${log}:\n${tail(log)}`,
  );
}

/** Waits up to `timeoutMs` for the process to disappear; true if it did. */
export async function waitForExit(proc: Proc, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(proc)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM, wait, then SIGKILL. Returns true once the process is gone. */
export async function terminate(proc: Proc, timeoutMs: number): Promise<boolean> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (isAlive(proc)) process.kill(proc.pid, sig);
    } catch {
      // ESRCH: it exited between the check and the signal.
    }
  };
  signal("SIGTERM");
  if (await waitForExit(proc, timeoutMs)) return true;
  signal("SIGKILL");
  return waitForExit(proc, 5000);
}
