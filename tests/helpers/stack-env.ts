/**
 * Connection settings of the service stack for tests. bunfig.toml sets `env = false`, so
 * Bun does not load .env by itself; this reads the repo-root .env written by
 * `bun stack/up.ts` (or stack/compose-env.sh), with the app's own parser. Variables already
 * set in the process environment win, as with any dotenv loader.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDotenv } from "../../src/lib/dotenv.ts";

const ENV_FILE = resolve(import.meta.dir, "..", "..", ".env");

/** The .env values overlaid with process.env; throws, naming the fix, when one of `required` is missing. */
export function loadStackEnv(required: string[] = ["POSTGRES_URL"], file = ENV_FILE): Record<string, string> {
  const values: Record<string, string> = existsSync(file) ? parseDotenv(readFileSync(file, "utf8")).values : {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) values[key] = value;
  const missing = required.filter((key) => !values[key]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(", ")} not set (looked in ${file} and the environment); start the stack: bun stack/up.ts`);
  }
  return values;
}
