/** `imbi setup`: idempotent seeding of permissions and roles, and the first admin, non-interactively. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { isolatedEnv } from "../helpers/app.ts";
import { runImbi } from "../helpers/process.ts";
import { PERMISSIONS } from "../../src/features/roles/seed-data.ts";

let env: Record<string, string>;
let drop: () => Promise<void>;
let sql: postgres.Sql;
beforeAll(async () => {
  ({ env, drop } = await isolatedEnv());
  sql = postgres(env.POSTGRES_URL!, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end();
  await drop();
});

const admin = ["--non-interactive", "--admin-email", "root@example.com", "--org-slug", "acme", "--org-name", "ACME"];

describe("imbi setup", () => {
  test("without an admin email it seeds permissions and the four system roles", async () => {
    const { code, stdout } = runImbi(["setup", "--non-interactive"], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`${PERMISSIONS.length} permissions, 4 system roles`);
    const roles = await sql`select slug, is_system, is_default from imbi.roles order by priority desc`;
    expect(roles.map((r) => r.slug)).toEqual(["admin", "developer", "default", "readonly"]);
    expect(roles.filter((r) => r.is_default).map((r) => r.slug)).toEqual(["default"]);
    const [grants] = await sql`select count(*)::int as n from imbi.role_permissions rp join imbi.roles r on r.id = rp.role_id where r.slug = 'admin'`;
    expect(grants!.n).toBe(PERMISSIONS.length);
    const oauth = await sql`select name from imbi.permissions where name like 'oauth-providers:%' order by name`;
    expect(oauth.map((r) => r.name)).toEqual(["oauth-providers:read", "oauth-providers:write"]);
  });

  test("a weak admin password is refused with every unmet rule, exit 2", () => {
    const { code, stderr } = runImbi(["setup", ...admin], { ...env, IMBI_SETUP_ADMIN_PASSWORD: "short" });
    expect(code).toBe(2);
    expect(stderr).toContain("at least 12 characters");
    expect(stderr).toContain("uppercase");
    expect(stderr).toContain("digit");
  });

  test("without a password for a new admin it says how to give one", () => {
    const { code, stderr } = runImbi(["setup", ...admin], env);
    expect(code).toBe(2);
    expect(stderr).toContain("IMBI_SETUP_ADMIN_PASSWORD");
  });

  test("a bad organization slug is refused", () => {
    const { code, stderr } = runImbi(["setup", "--non-interactive", "--admin-email", "x@example.com", "--org-slug", "Bad Slug"], env);
    expect(code).toBe(2);
    expect(stderr).toContain("--org-slug");
  });

  test("creates the admin in the organization, then is idempotent", async () => {
    const first = runImbi(["setup", ...admin], { ...env, IMBI_SETUP_ADMIN_PASSWORD: "Sup3r-Secret-Passw0rd" });
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("root@example.com created in organization acme");
    const second = runImbi(["setup", ...admin], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("already exists");
    const rows = await sql`select u.is_admin, r.slug as role, o.slug as org from imbi.users u
      join imbi.organization_memberships m on m.user_id = u.id join imbi.roles r on r.id = m.role_id
      join imbi.organizations o on o.id = m.organization_id where u.email = 'root@example.com'`;
    expect(rows).toEqual([{ is_admin: true, role: "admin", org: "acme" }] as never);
    const [hash] = await sql`select password_hash from imbi.users where email = 'root@example.com'`;
    expect(await Bun.password.verify("Sup3r-Secret-Passw0rd", hash!.password_hash as string)).toBe(true);
  });
});
