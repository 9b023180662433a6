/** POST /roles/{slug}/permissions, DELETE /roles/{slug}/permissions/{permission_name}, GET /roles/{slug}/users and /service-accounts. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createOrg, createServiceAccount, createUser, json, send } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { addMembership, body, caller, createRole, expectDenied, expectUnauthenticated, type Caller } from "../users/fixtures.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: Caller;
let editor: Caller; // role:read + role:update
let nobody: Caller;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  org = await createOrg(t);
  admin = await caller(t, { org, role: "admin", isAdmin: true });
  editor = await caller(t, { org, role: (await createRole(t, ["role:read", "role:update"])).slug });
  nobody = await caller(t, { org, role: (await createRole(t, [])).slug });
});
afterAll(() => t.close());

const grantsOf = async (role: { id: string }) =>
  (await t.infra.sql<{ permission_name: string }[]>`select permission_name from role_permissions where role_id = ${role.id} order by 1`).map((r) => r.permission_name);
const grant = (slug: string, permission_name: unknown, who: Caller = admin) => t.req(`/roles/${slug}/permissions`, json({ permission_name }, who.headers));
const revoke = (slug: string, name: string, who: Caller = admin) => t.req(`/roles/${slug}/permissions/${name}`, send("DELETE", undefined, who.headers));
const SYSTEM = (slug: string) => `Role '${slug}' is a system role; its permissions are managed by the seed and cannot be changed via the API`;

describe("POST /roles/{slug}/permissions", () => {
  test("grants the permission (idempotent), and holders have it at once", async () => {
    const role = await createRole(t);
    const holder = await caller(t, { org, role: role.slug });
    expect((await t.req("/admin/settings", send("GET", undefined, holder.headers))).status).toBe(200);
    expect((await t.req("/users/", send("GET", undefined, holder.headers))).status).toBe(403);
    expect((await grant(role.slug, "user:read", editor)).status).toBe(204);
    expect((await grant(role.slug, "user:read", editor)).status).toBe(204);
    expect(await grantsOf(role)).toEqual(["user:read"]);
    expect((await t.req("/users/", send("GET", undefined, holder.headers))).status).toBe(200);
    const detail = await body<{ permissions: { name: string }[] }>(await t.req(`/roles/${role.slug}`, send("GET", undefined, editor.headers)));
    expect(detail.permissions.map((p) => p.name)).toEqual(["user:read"]);
    expect(events.filter((e) => e.type === "role.permission_granted" && e.detail?.role === role.slug).map((e) => e.detail?.already_granted)).toEqual([false, true]);
  });

  test("a system role → 403", async () => {
    const response = await grant("readonly", "user:delete");
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: SYSTEM("readonly") });
  });

  test("unknown role or permission → 404", async () => {
    const role = await createRole(t);
    const permission = await grant(role.slug, "nothing:at_all");
    expect(permission.status).toBe(404);
    expect(await body(permission)).toEqual({ detail: "Permission 'nothing:at_all' not found" });
    expect(await body(await grant("no-such-role", "user:read"))).toEqual({ detail: "Role with slug 'no-such-role' not found" });
    expect((await grant(role.slug, "nul\u0000")).status).toBe(404);
  });

  test("401 without or with bad credentials; 403 without role:update", async () => {
    const role = await createRole(t);
    await expectUnauthenticated(t, `/roles/${role.slug}/permissions`, "POST", { permission_name: "user:read" });
    await expectDenied(t, `/roles/${role.slug}/permissions`, "POST", nobody.headers, "role:update", { permission_name: "user:read" });
    expect(await grantsOf(role)).toEqual([]);
  });

  test.each([[{}, "missing"], [{ permission_name: "" }, "string_too_short"], [{ permission_name: 5 }, "string_type"]])("malformed %j → 422 %s", async (payload, type) => {
    const role = await createRole(t);
    const response = await t.req(`/roles/${role.slug}/permissions`, json(payload, admin.headers));
    expect(response.status).toBe(422);
    expect((await body<{ detail: { loc: unknown[]; type: string }[] }>(response)).detail[0]).toMatchObject({ loc: ["body", "permission_name"], type });
  });
});

describe("DELETE /roles/{slug}/permissions/{permission_name}", () => {
  test("revokes the permission", async () => {
    const role = await createRole(t, ["user:read", "project:read"]);
    expect((await revoke(role.slug, "user:read", editor)).status).toBe(204);
    expect(await grantsOf(role)).toEqual(["project:read"]);
    expect(events.find((e) => e.type === "role.permission_revoked" && e.detail?.role === role.slug)).toMatchObject({ detail: { permission: "user:read" } });
  });

  test("not granted → 404; unknown role → 404; a system role → 403", async () => {
    const role = await createRole(t, ["project:read"]);
    const missing = await revoke(role.slug, "user:read");
    expect(missing.status).toBe(404);
    expect(await body(missing)).toEqual({ detail: `Permission 'user:read' not granted to role '${role.slug}'` });
    expect((await revoke("no-such-role", "user:read")).status).toBe(404);
    expect((await revoke(role.slug, "nul%00")).status).toBe(404);
    const system = await revoke("developer", "project:read");
    expect(system.status).toBe(403);
    expect(await body(system)).toEqual({ detail: SYSTEM("developer") });
  });

  test("401 without or with bad credentials; 403 without role:update", async () => {
    const role = await createRole(t, ["user:read"]);
    await expectUnauthenticated(t, `/roles/${role.slug}/permissions/user:read`, "DELETE");
    await expectDenied(t, `/roles/${role.slug}/permissions/user:read`, "DELETE", nobody.headers, "role:update");
    expect(await grantsOf(role)).toEqual(["user:read"]);
  });
});

describe("GET /roles/{slug}/users", () => {
  test("users holding the role in any organization, once each, with their memberships", async () => {
    const role = await createRole(t);
    const other = await createOrg(t);
    const first = await createUser(t, { org, role: role.slug });
    await addMembership(t, first.id, other.id, role.slug);
    const second = await createUser(t, { org: other, role: role.slug });
    await createUser(t, { org, role: "developer" });
    const response = await t.req(`/roles/${role.slug}/users`, send("GET", undefined, editor.headers));
    expect(response.status).toBe(200);
    const users = await body<{ email: string; organizations: unknown[] }[]>(response);
    expect(users.map((u) => u.email)).toEqual([first.email, second.email].sort());
    expect(users.find((u) => u.email === first.email)!.organizations).toHaveLength(2);
    expect(users[0]).not.toHaveProperty("password_hash");
    const empty = await createRole(t);
    expect(await body<unknown[]>(await t.req(`/roles/${empty.slug}/users`, send("GET", undefined, editor.headers)))).toEqual([]);
  });

  test("unknown → 404; 401 without or with bad credentials; 403 without role:read", async () => {
    expect((await t.req("/roles/no-such-role/users", send("GET", undefined, admin.headers))).status).toBe(404);
    await expectUnauthenticated(t, "/roles/admin/users", "GET");
    await expectDenied(t, "/roles/admin/users", "GET", nobody.headers, "role:read");
  });
});

describe("GET /roles/{slug}/service-accounts", () => {
  test("service accounts holding the role", async () => {
    const role = await createRole(t);
    const account = await createServiceAccount(t, { org, role: role.slug });
    await createServiceAccount(t, { org, role: "developer" });
    const response = await t.req(`/roles/${role.slug}/service-accounts`, send("GET", undefined, editor.headers));
    expect(response.status).toBe(200);
    expect(await body<unknown[]>(response)).toEqual([{
      slug: account.slug, display_name: account.slug.toUpperCase(), description: null, is_active: true,
      created_at: expect.any(String), updated_at: null, last_authenticated: null, avatar_url: null,
      organizations: [{ organization_name: org.slug.toUpperCase(), organization_slug: org.slug, role: role.slug }],
    }]);
  });

  test("unknown → 404; 401 without or with bad credentials; 403 without role:read", async () => {
    expect((await t.req("/roles/no-such-role/service-accounts", send("GET", undefined, admin.headers))).status).toBe(404);
    await expectUnauthenticated(t, "/roles/admin/service-accounts", "GET");
    await expectDenied(t, "/roles/admin/service-accounts", "GET", nobody.headers, "role:read");
  });
});
