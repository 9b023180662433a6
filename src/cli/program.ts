/** The `imbi` command line: one subcommand per operator task, each with --help. */
import { Command } from "commander";
import { VERSION } from "../version.ts";
import { serve } from "./serve.ts";
import { isDevChild, superviseDev } from "./dev.ts";
import { runMigrations } from "./maintenance.ts";
import { runSetup } from "./setup.ts";
import { healthcheck, printConfig, printSecrets, printVersion } from "./info.ts";
import { parseConcurrency, runBackfill } from "./embeddings.ts";

export function buildProgram(mainScript: string | undefined): Command {
  const program = new Command("imbi")
    .description("Imbi: DevOps service-management platform (API server and tools)")
    .version(VERSION, "-V, --version")
    .showHelpAfterError();

  program.command("serve")
    .description("Run the API server (settings: config.toml chain, environment, .env)")
    .option("--dev", "restart on changes under src/ and IMBI_RELOAD_DIRS")
    .action((options: { dev?: boolean }) => (options.dev && !isDevChild() ? superviseDev(mainScript) : serve()));
  program.command("migrate")
    .description("Apply pending PostgreSQL migrations and exit")
    .action(runMigrations);
  program.command("setup")
    .description("Prepare an installation (idempotent): migrations, ClickHouse tables, S3 bucket, permissions and roles, first admin")
    .option("--admin-email <email>", "create or promote this admin user")
    .option("--admin-name <name>", "the admin's display name")
    .option("--org-slug <slug>", "the admin's organization (created if missing)", undefined)
    .option("--org-name <name>", "the organization's name")
    .option("--non-interactive", "never prompt; the admin password comes from IMBI_SETUP_ADMIN_PASSWORD")
    .addHelpText("after", "\nA new admin's password is read from IMBI_SETUP_ADMIN_PASSWORD, or prompted for without echo.")
    .action(runSetup);
  program.command("config")
    .description("Print the effective configuration and where each value came from (secrets redacted)")
    .option("--json", "print JSON instead of TOML")
    .action(printConfig);
  program.command("version")
    .description("Print the version")
    .action(printVersion);
  program.command("generate-secrets")
    .description("Print a new IMBI_AUTH_JWT_SECRET and IMBI_AUTH_ENCRYPTION_KEY for .env or a secrets manager")
    .action(printSecrets);
  program.command("embeddings")
    .description("Search embeddings")
    .command("backfill")
    .description("Index every searchable entity and embed every chunk without a current vector (idempotent, resumable)")
    .option("--force", "re-embed every chunk, not only missing or changed ones (old vectors serve until replaced)")
    .option("--concurrency <n>", "batches embedded in parallel (1-64)", parseConcurrency, 1)
    .action(runBackfill);
  program.command("healthcheck")
    .description("Exit 0 when the local server's /status is healthy (for container HEALTHCHECK)")
    .action(healthcheck);
  return program;
}
