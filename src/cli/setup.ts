/**
 * `imbi setup`: prepare an installation, idempotently. Migrations, ClickHouse tables, the
 * S3 bucket, the permission list and system roles, then (when asked for) the first
 * organization and admin user. Interactive by default; `--non-interactive` takes
 * everything from flags and IMBI_SETUP_ADMIN_PASSWORD (never a command-line argument, which
 * other users could read from the process list).
 */
import { seedAdmin, seedPermissionsAndRoles } from "../features/roles/seed.ts";
import { passwordProblems } from "../lib/password-policy.ts";
import { connectPostgres } from "../infra/postgres.ts";
import { migrate } from "../infra/migrate.ts";
import { initClickHouse } from "../infra/clickhouse.ts";
import { ensureBucket } from "../infra/s3.ts";
import { readLine, readSecret } from "./prompt.ts";
import { withInfra } from "./maintenance.ts";
import { EXIT_CONFIG } from "./load-config.ts";

export interface SetupOptions {
  adminEmail?: string;
  adminName?: string;
  orgSlug?: string;
  orgName?: string;
  nonInteractive?: boolean;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function fail(message: string): never {
  process.stderr.write(`imbi setup: ${message}\n`);
  process.exit(EXIT_CONFIG);
}

async function ask(value: string | undefined, question: string, fallback: string, interactive: boolean): Promise<string> {
  if (value || !interactive) return value ?? fallback;
  return (await readLine(`${question} [${fallback}]: `)) || fallback;
}

export function runSetup(options: SetupOptions): Promise<void> {
  return withInfra(async ({ settings, logger, infra }) => {
    const interactive = !options.nonInteractive && process.stdin.isTTY === true;
    await connectPostgres(infra.sql, settings.postgres, logger);
    const applied = await migrate(infra.sql, settings.postgres.graph_name);
    console.log(applied.length ? `PostgreSQL: applied ${applied.join(", ")}` : "PostgreSQL: schema is up to date");
    await initClickHouse(infra.clickhouse, settings.clickhouse, logger);
    console.log("ClickHouse: database and tables are in place");
    if (settings.storage.create_bucket_on_init) {
      console.log(`S3: bucket ${settings.storage.bucket} ${await ensureBucket(infra.s3, settings.storage)}`);
    }
    const seeded = await seedPermissionsAndRoles(infra.sql);
    console.log(`Roles: ${seeded.permissions} permissions, ${seeded.roles} system roles`);

    const email = await ask(options.adminEmail, "Admin email (empty to skip)", "", interactive);
    if (!email) return console.log("Admin: skipped (pass --admin-email to create one)");
    if (!EMAIL.test(email)) fail(`--admin-email "${email}" is not an email address`);
    const orgSlug = await ask(options.orgSlug, "Organization slug", "default", interactive);
    if (!SLUG.test(orgSlug)) fail(`--org-slug "${orgSlug}" must match ^[a-z0-9][a-z0-9_-]*$ (1-64 characters)`);
    const orgName = await ask(options.orgName, "Organization name", "Default", interactive);
    const name = await ask(options.adminName, "Admin display name", email.split("@")[0]!, interactive);

    const [existing] = await infra.sql`select id from users where lower(email) = lower(${email})`;
    let passwordHash = "";
    if (!existing) {
      const password = process.env.IMBI_SETUP_ADMIN_PASSWORD ?? (interactive ? await readSecret("Admin password: ") : undefined);
      if (!password) fail("set IMBI_SETUP_ADMIN_PASSWORD (or run interactively) to create the admin user");
      const problems = passwordProblems(password, settings.auth);
      if (problems.length) fail(`the admin password is too weak: ${problems.join("; ")}`);
      if (interactive && !process.env.IMBI_SETUP_ADMIN_PASSWORD && (await readSecret("Repeat password: ")) !== password) {
        fail("the passwords do not match");
      }
      passwordHash = await Bun.password.hash(password, { algorithm: "argon2id" });
    }
    const outcome = await seedAdmin(infra.sql, { email, displayName: name, passwordHash, organizationSlug: orgSlug, organizationName: orgName });
    console.log(`Admin: ${email} ${outcome === "created" ? "created" : "already exists (made admin)"} in organization ${orgSlug}`);
  });
}
