/**
 * An in-process Imbi for tests, wired to the real stack (see stack/) but isolated:
 * its own PostgreSQL database, ClickHouse database and S3 bucket, dropped at close.
 * Requests go through app.handle(); `listen()` gives a real socket when a test needs
 * peer addresses. Log lines are captured in `logs`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createClient } from "@clickhouse/client";
import { customAlphabet } from "nanoid";
import { createApp, type App } from "../../src/app.ts";
import { createContext, type AppContext } from "../../src/context.ts";
import { seedPermissionsAndRoles } from "../../src/features/roles/seed.ts";
import { loadConfig, type LoadedConfig } from "../../src/config/load.ts";
import { closeInfra, createInfra, startInfra, type Infra } from "../../src/infra/clients.ts";
import { createLogger } from "../../src/infra/logger.ts";
import { parseClickHouseUrl } from "../../src/infra/clickhouse.ts";
import { loadStackEnv } from "./stack-env.ts";
import { SECRETS } from "./config.ts";
import { relaxedRateLimits } from "./rate-limits.ts";

const suffix = customAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", 10);

export type LogLine = Record<string, unknown> & { msg: string; level: string };

export interface TestApp {
  app: App;
  ctx: AppContext;
  config: LoadedConfig;
  infra: Infra;
  logs: LogLine[];
  env: Record<string, string>;
  req(path: string, init?: RequestInit): Promise<Response>;
  listen(): string;
  close(): Promise<void>;
}

/** Stack env plus a fresh database, ClickHouse database and bucket for this test file. */
export async function isolatedEnv(overrides: Record<string, string> = {}): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const stack = loadStackEnv();
  const id = suffix();
  const pgUrl = new URL(stack.POSTGRES_URL!);
  const admin = postgres(pgUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "imbi_test_${id}"`);
  pgUrl.pathname = `/imbi_test_${id}`;
  const chUrl = new URL(stack.CLICKHOUSE_URL!.replace(/^clickhouse\+/, ""));
  chUrl.pathname = `/imbi_test_${id}`;
  const env = {
    ...stack, ...SECRETS,
    POSTGRES_URL: pgUrl.toString(),
    CLICKHOUSE_URL: `clickhouse+${chUrl.toString()}`,
    S3_BUCKET: `imbi-test-${id}`,
    ...overrides,
  };
  const drop = async () => {
    await admin.unsafe(`drop database if exists "imbi_test_${id}" with (force)`).catch(() => {});
    await admin.end();
    const target = parseClickHouseUrl(stack.CLICKHOUSE_URL!);
    const ch = createClient({ ...target, database: "default" });
    await ch.command({ query: `DROP DATABASE IF EXISTS imbi_test_${id}` }).catch(() => {});
    await ch.close();
  };
  return { env, drop };
}

export function isolatedConfig(env: Record<string, string>): LoadedConfig {
  const dir = mkdtempSync(join(tmpdir(), "imbi-test-"));
  return loadConfig({ env, cwd: dir, home: dir, systemFile: join(dir, "none.toml") });
}

export interface TestAppOptions {
  /** "relaxed" (default): limits the test did not configure do not throttle it (helpers/rate-limits.ts). */
  rateLimits?: "relaxed" | "enforced";
}

/** `rewrite` adjusts the final env, e.g. to reach a service through a test relay. */
export async function startTestApp(
  overrides: Record<string, string> = {},
  rewrite: (env: Record<string, string>) => Record<string, string> = (env) => env,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const isolated = await isolatedEnv(overrides);
  const { drop } = isolated;
  const env = rewrite(isolated.env);
  const config = isolatedConfig(env);
  const logs: LogLine[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(JSON.parse(line)) } });
  const infra = createInfra(config.settings);
  const stopBackground = await startInfra(infra, config.settings, logger);
  // A test app is a set-up installation: permissions and system roles exist.
  await seedPermissionsAndRoles(infra.sql);
  const ctx = createContext(config.settings, infra, logger, {
    rateLimits: options.rateLimits === "enforced" ? {} : relaxedRateLimits(overrides),
  });
  const app = createApp({ settings: config.settings, infra, logger }, ctx);
  let listening = false;
  return {
    app, ctx, config, infra, logs, env,
    req: (path, init) => app.handle(new Request(`http://localhost${path}`, init)),
    listen() {
      if (!listening) app.listen({ hostname: "127.0.0.1", port: 0 });
      listening = true;
      return `http://127.0.0.1:${app.server!.port}`;
    },
    async close() {
      stopBackground();
      if (listening) await app.stop(true);
      await ctx.close();
      await closeInfra(infra);
      await drop();
    },
  };
}

