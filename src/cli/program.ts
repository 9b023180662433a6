/** The `imbi` command line: one subcommand per operator task, each with --help. */
import { Command } from "commander";
import { VERSION } from "../version.ts";
import { serve } from "./serve.ts";
import { isDevChild, superviseDev } from "./dev.ts";
import { runMigrations, runSetup } from "./maintenance.ts";
import { healthcheck, printConfig, printSecrets, printVersion } from "./info.ts";

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
    .description("Prepare a new installation: migrations, ClickHouse tables, S3 bucket (idempotent)")
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
  program.command("healthcheck")
    .description("Exit 0 when the local server's /status is healthy (for container HEALTHCHECK)")
    .action(healthcheck);
  return program;
}
