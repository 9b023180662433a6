/**
 * The PostgreSQL pool (postgres.js). Pool bounds come from POSTGRES_MIN/MAX_POOL_SIZE;
 * Imbi's tables live in the schema named by POSTGRES_GRAPH_NAME, put first on search_path.
 */
import postgres, { type Sql } from "postgres";
import type { Settings } from "../config/settings.ts";
import type { Logger } from "./logger.ts";
import { retry, withTimeout } from "./retry.ts";
import { telemetry } from "./telemetry.ts";

export type Database = Sql;

/** Traced (telemetry/postgres.ts) when OpenTelemetry runs. */
export function createPostgres(settings: Settings["postgres"]): Database {
  const sql = postgres(settings.url, {
    max: settings.max_pool_size,
    connect_timeout: 10,
    // Connections opened for min_pool_size stay open: no idle reaping.
    idle_timeout: 0,
    connection: { application_name: "imbi", search_path: `"${settings.graph_name}", public` },
    onnotice: () => {},
  });
  return telemetry()?.instrumentPostgres(sql) ?? sql;
}

/** Waits for the server (retrying), then opens min_pool_size connections up front. */
export async function connectPostgres(sql: Database, settings: Settings["postgres"], logger: Logger): Promise<void> {
  await retry(() => withTimeout(sql`select 1`, 10_000, "PostgreSQL connect"), {
    attempts: 10, name: "PostgreSQL", logger,
  });
  const reserved = await Promise.all(Array.from({ length: settings.min_pool_size }, () => sql.reserve()));
  for (const connection of reserved) connection.release();
}

export async function pingPostgres(sql: Database): Promise<void> {
  await withTimeout(sql`select 1`, 2000, "PostgreSQL ping");
}

export async function closePostgres(sql: Database): Promise<void> {
  await sql.end({ timeout: 5 });
}

/** host:port/db without credentials, for log lines and startup errors. */
export function describeDsn(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "<unparseable URL>";
  }
}
