/**
 * `imbi serve --dev`: runs the server in a child process and restarts it when a file
 * changes under src/ (when running from source) or any IMBI_RELOAD_DIRS directory.
 */
import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { loadConfigOrExit } from "./load-config.ts";

/** Set in the child so it serves instead of supervising. */
const CHILD_FLAG = "IMBI_DEV_CHILD";

export function isDevChild(): boolean {
  return process.env[CHILD_FLAG] === "1";
}

export function superviseDev(mainScript: string | undefined): void {
  const { settings } = loadConfigOrExit();
  const sourceDir = mainScript ? join(mainScript, "..") : undefined;
  const dirs = [sourceDir, ...settings.server.reload_dirs].filter((d): d is string => !!d && existsSync(d));
  const command = [process.execPath, ...(mainScript ? [mainScript] : []), "serve"];
  let child: Subprocess | undefined;
  let timer: Timer | undefined;

  const start = () => {
    child = Bun.spawn(command, { env: { ...process.env, [CHILD_FLAG]: "1" }, stdio: ["inherit", "inherit", "inherit"] });
  };
  const restart = (file: string) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      console.error(`[dev] ${file} changed; restarting`);
      child?.kill("SIGTERM");
      await child?.exited;
      start();
    }, 150);
  };
  const watchers: FSWatcher[] = dirs.map((dir) => watch(dir, { recursive: true }, (_, file) => restart(join(dir, String(file)))));
  console.error(`[dev] watching ${dirs.join(", ") || "nothing"}`);
  start();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, async () => {
      watchers.forEach((w) => w.close());
      child?.kill(signal);
      await child?.exited;
      process.exit(0);
    });
  }
}
