/**
 * Loads settings in isolation: a temporary working directory and home, a system file path
 * that does not exist unless a test writes it, and only the environment the test passes.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";

export interface Sandbox {
  cwd: string;
  home: string;
  systemFile: string;
  write(path: string, text: string): void;
  load(env?: Record<string, string>): ReturnType<typeof loadConfig>;
}

export function configSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "imbi-config-"));
  const sandbox: Sandbox = {
    cwd: join(root, "work"),
    home: join(root, "home"),
    systemFile: join(root, "etc", "imbi", "config.toml"),
    write(path, text) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    load(env = {}) {
      return loadConfig({ env, cwd: sandbox.cwd, home: sandbox.home, systemFile: sandbox.systemFile });
    },
  };
  mkdirSync(sandbox.cwd, { recursive: true });
  return sandbox;
}

/** Both secrets set, so tests that are not about secrets see no warnings. */
export const SECRETS = {
  IMBI_AUTH_JWT_SECRET: "test-secret-that-is-long-enough-0123456789",
  IMBI_AUTH_ENCRYPTION_KEY: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
};
