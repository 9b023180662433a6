// Connection settings of the service stack for tests. bunfig.toml sets
// `env = false`, so Bun does not load .env by itself; this reads the repo-root
// .env written by `bun stack/up.ts` (or stack/compose-env.sh). Variables already
// set in the process environment win, as with any dotenv loader.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const ENV_FILE = resolve(import.meta.dir, "..", "..", ".env");

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c);
  }
  return value.replace(/\s+#.*$/, ""); // unquoted values may carry a trailing comment
}

/**
 * Returns the .env values overlaid with process.env. Throws, naming the fix,
 * when one of `required` is missing.
 */
export function loadStackEnv(required: string[] = [], file = ENV_FILE): Record<string, string> {
  const values: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
      if (match) values[match[1]!] = unquote(match[2]!);
    }
  }
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) values[key] = value;
  const missing = required.filter((key) => !values[key]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(", ")} not set (looked in ${file} and the environment); start the stack: bun stack/up.ts`);
  }
  return values;
}
