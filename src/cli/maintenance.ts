/**
 * `imbi migrate`, and the shared set-up of one-shot commands (see setup.ts). Idempotent:
 * running them on every deploy is safe.
 */
import { closeInfra, createInfra } from "../infra/clients.ts";
import { connectPostgres } from "../infra/postgres.ts";
import { migrate } from "../infra/migrate.ts";
import { createLogger } from "../infra/logger.ts";
import { errorMessage } from "../infra/retry.ts";
import { loadConfigOrExit } from "./load-config.ts";

export async function withInfra(work: (ctx: ReturnType<typeof setUp>) => Promise<void>): Promise<void> {
  const ctx = setUp();
  try {
    await work(ctx);
  } catch (error) {
    process.stderr.write(`imbi: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  } finally {
    await closeInfra(ctx.infra);
  }
}

function setUp() {
  const { settings } = loadConfigOrExit();
  const logger = createLogger({ level: settings.server.log_level });
  return { settings, logger, infra: createInfra(settings) };
}

export function runMigrations(): Promise<void> {
  return withInfra(async ({ settings, logger, infra }) => {
    await connectPostgres(infra.sql, settings.postgres, logger);
    const applied = await migrate(infra.sql, settings.postgres.graph_name);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "PostgreSQL schema is up to date");
  });
}
