/**
 * The ClickHouse client. CLICKHOUSE_URL may use the `clickhouse+http(s)://` form of the
 * reference; user, password and database (default `imbi`) come from the URL. Startup
 * tries CLICKHOUSE_MAX_CONNECT_ATTEMPTS times, each bounded by CLICKHOUSE_CONNECT_TIMEOUT,
 * then creates the database and tables. A ClickHouse that stays down leaves the server
 * running degraded: analytics are optional to serving the catalog.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import type { Settings } from "../config/settings.ts";
import type { Logger } from "./logger.ts";
import { retry, withTimeout } from "./retry.ts";
import { CLICKHOUSE_MIGRATIONS, type Migration } from "./migration-files.ts";
import { telemetry } from "./telemetry.ts";

/** The client's own console warnings would duplicate (and bypass) our structured log lines. */
const QUIET = { level: ClickHouseLogLevel.OFF };

export interface ClickHouseTarget {
  url: string;
  username: string;
  password: string;
  database: string;
}

export function parseClickHouseUrl(raw: string): ClickHouseTarget {
  const url = new URL(raw.replace(/^clickhouse\+/, "").replace(/^clickhouse:/, "http:"));
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, "")) || "imbi";
  const target = {
    url: `${url.protocol}//${url.host}`,
    username: decodeURIComponent(url.username) || "default",
    password: decodeURIComponent(url.password),
    database,
  };
  return target;
}

/** Traced (telemetry/clients.ts) when OpenTelemetry runs. */
export function createClickHouse(settings: Settings["clickhouse"]): ClickHouseClient {
  const target = parseClickHouseUrl(settings.url);
  const client = createClient({ ...target, request_timeout: Math.ceil(settings.connect_timeout * 1000), log: QUIET });
  return telemetry()?.instrumentClickHouse(client) ?? client;
}

export async function pingClickHouse(client: ClickHouseClient, timeoutMs = 2000): Promise<void> {
  const result = await withTimeout(client.ping(), timeoutMs, "ClickHouse ping");
  if (!result.success) throw result.error;
}

/** Connects as the settings say, then creates the database (via `default`) and tables. */
export async function initClickHouse(
  client: ClickHouseClient, settings: Settings["clickhouse"], logger: Logger,
  migrations: Migration[] = CLICKHOUSE_MIGRATIONS,
): Promise<void> {
  const timeoutMs = Math.ceil(settings.connect_timeout * 1000);
  const target = parseClickHouseUrl(settings.url);
  await retry(async () => {
    // The configured database may not exist yet, so the first contact goes to `default`.
    const bootstrap = createClient({ ...target, database: "default", request_timeout: timeoutMs, log: QUIET });
    try {
      await pingClickHouse(bootstrap, timeoutMs);
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${target.database}\`` });
    } finally {
      await bootstrap.close();
    }
  }, { attempts: settings.max_connect_attempts, name: "ClickHouse", logger });
  for (const migration of migrations) {
    await client.command({ query: migration.sql });
  }
}
