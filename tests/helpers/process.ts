/** Runs `imbi` as a real process (from source, or the compiled binary) and reads its JSON log. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

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

/** Starts `imbi serve` on a free port and waits for its "listening" log line. */
export async function startServer(env: Record<string, string>, binary?: string, prefix = ""): Promise<Server> {
  const cwd = emptyDir();
  const proc = Bun.spawn([...imbiCommand(binary), "serve"], {
    cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd, IMBI_API_HOST: "127.0.0.1", IMBI_API_PORT: "0", ...env },
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const lines: Record<string, unknown>[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = proc.stdout.getReader();
  const deadline = Date.now() + 60_000;
  let port: number | undefined;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
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
  })();
  while (port === undefined) {
    const listening = lines.find((l) => typeof l.msg === "string" && l.msg.includes("listening"));
    if (listening) port = listening.port as number;
    else if (proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`imbi serve did not start (exit ${proc.exitCode}): ${await new Response(proc.stderr).text()} ${JSON.stringify(lines)}`);
    } else await Bun.sleep(50);
  }
  return { proc, base: `http://127.0.0.1:${port}${prefix}`, lines };
}

/** A TCP server that accepts connections and never answers: a hung dependency. */
export function blackHole(): { port: number; stop(): void } {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  return { port: listener.port, stop: () => listener.stop(true) };
}
