/** Runs `imbi` as a real process (from source, or the compiled binary) and reads its JSON log. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { deadPort } from "./tcp-proxy.ts";

export const MAIN = join(import.meta.dir, "../../src/main.ts");

/** Source by default; IMBI_TEST_BINARY points at a compiled executable instead. */
export function imbiCommand(binary?: string): string[] {
  return binary ? [binary] : [process.execPath, MAIN];
}

/** A clean working directory and HOME, so no .env or config.toml leaks in. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), "imbi-cwd-"));
}

export function runImbi(args: string[], env: Record<string, string>, binary?: string) {
  const cwd = emptyDir();
  const result = Bun.spawnSync([...imbiCommand(binary), ...args], {
    cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env }, stdout: "pipe", stderr: "pipe",
  });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

export interface Server {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  base: string;
  lines: Record<string, unknown>[];
}

/** Starts `imbi serve` on a free port and waits until it answers HTTP. */
export async function startServer(env: Record<string, string>, binary?: string, prefix = "", flags: string[] = []): Promise<Server> {
  const cwd = emptyDir();
  const port = deadPort();
  const proc = Bun.spawn([...imbiCommand(binary), "serve", ...flags], {
    cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, IMBI_API_HOST: "127.0.0.1", ...env, IMBI_API_PORT: String(port) },
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const lines: Record<string, unknown>[] = [];
  void collectJsonLines(proc.stdout, lines);
  const base = `http://127.0.0.1:${port}${prefix}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${base}/status`).then(() => true, () => false);
    if (ready) return { proc, base, lines };
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      throw new Error(`imbi serve did not start (exit ${proc.exitCode}): ${await new Response(proc.stderr).text()} ${JSON.stringify(lines)}`);
    }
    await Bun.sleep(50);
  }
}

async function collectJsonLines(stream: ReadableStream<Uint8Array>, lines: Record<string, unknown>[]): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(text));
      } catch {
        lines.push({ msg: text });
      }
    }
  }
}

/** A TCP server that accepts connections and never answers: a hung dependency. */
export function blackHole(): { port: number; stop(): void } {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  return { port: listener.port, stop: () => listener.stop(true) };
}
