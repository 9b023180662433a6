/**
 * Every outside system, created in one place and handed to the app explicitly.
 * PostgreSQL is required: startup waits for it and migrates. The others may be down at
 * startup; the server then runs degraded, reports them in /status, and finishes their
 * setup (ClickHouse tables, the S3 bucket) once they answer.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Settings } from "../config/settings.ts";
import type { Logger } from "./logger.ts";
import { closePostgres, connectPostgres, createPostgres, describeDsn, type Database } from "./postgres.ts";
import { migrate } from "./migrate.ts";
import { createClickHouse, initClickHouse } from "./clickhouse.ts";
import { closeValkey, connectValkey, createValkey, type Valkey } from "./valkey.ts";
import { createS3, ensureBucket } from "./s3.ts";
import { createMailer, type Mailer } from "./mailer.ts";
import { errorMessage } from "./retry.ts";

export interface Infra {
  sql: Database;
  clickhouse: ClickHouseClient;
  valkey: Valkey;
  s3: S3Client;
  /** null when IMBI_EMAIL_ENABLED is false. */
  mailer: Mailer | null;
  /** Setup steps still owed to a dependency that was down at startup. */
  pending: Set<"clickhouse" | "s3">;
}

const RETRY_PENDING_MS = 15_000;

export function createInfra(settings: Settings): Infra {
  return {
    sql: createPostgres(settings.postgres),
    clickhouse: createClickHouse(settings.clickhouse),
    valkey: createValkey(settings.valkey),
    s3: createS3(settings.storage),
    mailer: settings.email.enabled ? createMailer(settings.email) : null,
    pending: new Set(),
  };
}

async function setUpOptional(infra: Infra, settings: Settings, logger: Logger): Promise<void> {
  const steps: Record<"clickhouse" | "s3", () => Promise<unknown>> = {
    clickhouse: () => initClickHouse(infra.clickhouse, settings.clickhouse, logger),
    s3: () => (settings.storage.create_bucket_on_init ? ensureBucket(infra.s3, settings.storage) : Promise.resolve()),
  };
  await Promise.all([...infra.pending].map(async (name) => {
    try {
      await steps[name]();
      infra.pending.delete(name);
      logger.info({ dependency: name }, `${name} ready`);
    } catch (error) {
      logger.warn({ dependency: name, err: errorMessage(error) }, `${name} unavailable; running degraded and retrying in the background`);
    }
  }));
}

/** iovalkey emits an error on every reconnect attempt; log the transitions only. */
function watchValkey(valkey: Valkey, logger: Logger): void {
  let down = false;
  valkey.on("error", (error: Error) => {
    if (!down) logger.warn({ dependency: "valkey", err: errorMessage(error) }, "Valkey connection lost; reconnecting");
    down = true;
  });
  valkey.on("ready", () => {
    if (down) logger.info({ dependency: "valkey" }, "Valkey reconnected");
    down = false;
  });
}

/** Returns a stop function for the background retry loop. */
export async function startInfra(infra: Infra, settings: Settings, logger: Logger): Promise<() => void> {
  watchValkey(infra.valkey, logger);
  try {
    await connectPostgres(infra.sql, settings.postgres, logger);
  } catch (error) {
    throw new Error(`cannot reach PostgreSQL at ${describeDsn(settings.postgres.url)} (POSTGRES_URL): ${errorMessage(error)}`);
  }
  const applied = await migrate(infra.sql, settings.postgres.graph_name);
  if (applied.length) logger.info({ migrations: applied }, `applied ${applied.length} PostgreSQL migration(s)`);

  infra.pending.add("clickhouse").add("s3");
  await Promise.all([
    setUpOptional(infra, settings, logger),
    connectValkey(infra.valkey).catch((error) =>
      logger.warn({ dependency: "valkey", err: errorMessage(error) }, "Valkey unavailable; reconnecting in the background")),
  ]);
  const timer = setInterval(() => {
    if (infra.pending.size) void setUpOptional(infra, settings, logger);
  }, RETRY_PENDING_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function closeInfra(infra: Infra): Promise<void> {
  await Promise.allSettled([
    closePostgres(infra.sql),
    infra.clickhouse.close(),
    closeValkey(infra.valkey),
    Promise.resolve(infra.s3.destroy()),
    Promise.resolve(infra.mailer?.close()),
  ]);
}
