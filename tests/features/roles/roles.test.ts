/** GET /roles/, POST /roles/, GET /roles/{slug}, DELETE /roles/{slug}. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createServiceAccount, createUser, json, send, unique } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { addMembership, body, caller, createRole, expectDenied, expectUnauthenticated, type Caller } from "../users/fixtures.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: Caller;
let roleAdmin: Caller; // role:* through a custom role, not is_admin
let reader: Caller; // readonly: role:read only
let nobody: Caller;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  org = await createOrg(t);
  const manager = await createRole(t, ["role:create", "role:read", "role:update", "role:delete"]);
  const empty = await createRole(t, []);
  admin = await caller(t, { org, role: "admin", isAdmin: true });
  roleAdmin = await caller(t, { org, role: manager.slug });
  reader = await caller(t, { org, role: "readonly" });
  nobody = await caller(t, { org, role: empty.slug });
});
afterAll(() => t.close());

type Role = {
  slug: string; name: string; priority: number; parent_role: { slug: string } | null;
  permissions: { name: string; resource_type: string; action: string; description: string | null }[];
} & Record<string, unknown>;
const newRole = (overrides: Record<string, unknown> = {}) => ({ name: "Auditor", slug: unique("auditor-"), ...overrides });
const seededCount = async (slug: string) => (await t.infra.sql<{ n: number }[]>`
  select count(*)::int as n from role_permissions rp join roles r on r.id = rp.role_id where r.slug = ${slug}`)[0]!.n;

describe("GET /roles/", () => {
  test("every role by priority (highest first) then name, with relationship counts", async () => {
    const response = await t.req("/roles/", send("GET", undefined, reader.headers));
    expect(response.status).toBe(200);
    const roles = await body<Role[]>(response);
    expect(roles.slice(0, 4).map((r) => r.slug)).toEqual(["admin", "developer", "default", "readonly"]);
    const priorities = roles.map((r) => r.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    const adminRole = roles.find((r) => r.slug === "admin")!;
    expect(adminRole).toMatchObject({ name: "Administrator", is_system: true, is_default: false });
    expect(adminRole.relationships).toEqual({
      permissions: { href: "/roles/admin/permissions", count: await seededCount("admin") },
      users: { href: "/roles/admin/users", count: 1 },
    });
    expect(roles.find((r) => r.slug === "default")!.is_default).toBe(true);
  });

  test("401 without or with bad credentials; 403 without role:read", async () => {
    await expectUnauthenticated(t, "/roles/", "GET");
    await expectDenied(t, "/roles/", "GET", nobody.headers, "role:read");
  });
});

describe("POST /roles/", () => {
  test("creates a role", async () => {
    const input = newRole({ description: "Reads audit logs", icon: "shield", priority: 300 });
    const response = await t.req("/roles/", json(input, roleAdmin.headers));
    expect(response.status).toBe(201);
    const role = await body<Role>(response);
    expect(role).toMatchObject({
      ...input, is_system: false, is_default: false, permissions: [], parent_role: null, updated_at: null,
      relationships: { permissions: { href: `/roles/${input.slug}/permissions`, count: 0 }, users: { href: `/roles/${input.slug}/users`, count: 0 } },
    });
    expect((role.id as string).length).toBe(21);
    expect(events.find((e) => e.type === "role.created" && e.detail?.role === input.slug)).toMatchObject({ actor_id: roleAdmin.id });
    expect((await t.req(`/roles/${input.slug}`, send("GET", undefined, reader.headers))).status).toBe(200);
  });

  test("parent_role: a holder gets the parent's permissions too", async () => {
    const input = newRole({ parent_role: "readonly" });
    const response = await t.req("/roles/", json(input, admin.headers));
    expect(response.status).toBe(201);
    expect((await body<Role>(response)).parent_role).toMatchObject({ slug: "readonly", is_system: true });
    const holder = await caller(t, { org, role: input.slug });
    const me = await body<{ permissions: string[] }>(await t.req("/users/me", send("GET", undefined, holder.headers)));
    expect(me.permissions).toContain("project:read");
  });

  test.each(["admin", "DUP"])("an existing slug (%s) → 409 naming the slug", async (slug) => {
    const existing = slug === "DUP" ? (await createRole(t)).slug : slug;
    const response = await t.req("/roles/", json(newRole({ slug: existing }), admin.headers));
    expect(response.status).toBe(409);
    expect(await body(response)).toEqual({ detail: `Role with slug '${existing}' already exists` });
  });

  test("an unknown parent → 400; is_system → 400", async () => {
    const parent = await t.req("/roles/", json(newRole({ parent_role: "no-such-role" }), admin.headers));
    expect(parent.status).toBe(400);
    expect(await body(parent)).toEqual({ detail: "Parent role 'no-such-role' not found" });
    const system = await t.req("/roles/", json(newRole({ is_system: true }), admin.headers));
    expect(system.status).toBe(400);
    expect(await body(system)).toEqual({ detail: "Cannot create system role" });
  });

  test("401 without or with bad credentials; 403 without role:create", async () => {
    await expectUnauthenticated(t, "/roles/", "POST", newRole());
    await expectDenied(t, "/roles/", "POST", reader.headers, "role:create", newRole());
  });

  test.each([
    ["slug", { slug: "Bad Slug" }, "string_pattern_mismatch"],
    ["slug", { slug: "-leading" }, "string_pattern_mismatch"],
    ["slug", { slug: "" }, "string_too_short"],
    ["slug", { slug: "a".repeat(65) }, "string_too_long"],
    ["slug", { slug: 5 }, "string_type"],
    ["slug", { slug: undefined }, "missing"],
    ["name", { name: "" }, "string_too_short"],
    ["name", { name: undefined }, "missing"],
    ["name", { name: "nul\u0000" }, "string_pattern_mismatch"],
    ["description", { description: "nul\u0000" }, "union_error"],
    ["icon", { icon: 5 }, "union_error"],
    // Elysia accepts numeric strings for integers, so its integer schema is a union.
    ["priority", { priority: 1.5 }, "union_error"],
    ["priority", { priority: "high" }, "union_error"],
    ["priority", { priority: 2 ** 31 }, "union_error"],
    ["is_system", { is_system: "no" }, "bool_type"],
    ["parent_role", { parent_role: 5 }, "union_error"],
  ])("malformed %s (%j) → 422 %s", async (field, overrides, type) => {
    const response = await t.req("/roles/", json(newRole(overrides), admin.headers));
    expect(response.status).toBe(422);
    const { detail } = await body<{ detail: { loc: unknown[]; type: string }[] }>(response);
    expect(detail.find((d) => d.loc[1] === field)?.type).toBe(type);
  });
});

describe("GET /roles/{slug}", () => {
  test("a system role with its permissions by name", async () => {
    const response = await t.req("/roles/developer", send("GET", undefined, reader.headers));
    expect(response.status).toBe(200);
    const role = await body<Role>(response);
    expect(role).toMatchObject({ slug: "developer", is_system: true, parent_role: null });
    const names = role.permissions.map((p) => p.name);
    expect(names.length).toBe(await seededCount("developer"));
    expect(names).toEqual([...names].sort());
    expect(role.permissions.find((p) => p.name === "project:read")).toEqual({
      name: "project:read", resource_type: "project", action: "read", description: expect.any(String),
    });
  });

  test.each(["no-such-role", "nul%00", "%E2%98%83"])("unknown %s → 404", async (slug) => {
    const response = await t.req(`/roles/${slug}`, send("GET", undefined, reader.headers));
    expect(response.status).toBe(404);
    expect((await body(response)).detail).toStartWith("Role with slug '");
  });

  test("401 without or with bad credentials; 403 without role:read", async () => {
    await expectUnauthenticated(t, "/roles/admin", "GET");
    await expectDenied(t, "/roles/admin", "GET", nobody.headers, "role:read");
  });
});

describe("DELETE /roles/{slug}", () => {
  test("deletes a role nobody holds", async () => {
    const role = await createRole(t, ["project:read"]);
    const response = await t.req(`/roles/${role.slug}`, send("DELETE", undefined, roleAdmin.headers));
    expect(response.status).toBe(204);
    expect((await t.req(`/roles/${role.slug}`, send("GET", undefined, reader.headers))).status).toBe(404);
    expect(events.find((e) => e.type === "role.deleted" && e.detail?.role === role.slug)).toMatchObject({ actor_id: roleAdmin.id });
  });

  test("a system role → 400", async () => {
    const response = await t.req("/roles/readonly", send("DELETE", undefined, admin.headers));
    expect(response.status).toBe(400);
    expect(await body(response)).toEqual({ detail: "Cannot delete system role" });
  });

  test("a role still held → 409 naming how many users and service accounts hold it (D2)", async () => {
    const role = await createRole(t);
    const other = await createOrg(t);
    const user = await createUser(t, { org, role: role.slug });
    await addMembership(t, user.id, other.id, role.slug);
    await createUser(t, { org: other, role: role.slug });
    await createServiceAccount(t, { org, role: role.slug });
    const response = await t.req(`/roles/${role.slug}`, send("DELETE", undefined, admin.headers));
    expect(response.status).toBe(409);
    expect(await body(response)).toEqual({ detail: `Role '${role.slug}' is held by 2 users and 1 service account; assign them another role first` });
    expect((await t.req(`/roles/${role.slug}`, send("GET", undefined, admin.headers))).status).toBe(200);
  });

  test("a role another role inherits from → 409 naming it", async () => {
    const parent = await createRole(t);
    const child = await createRole(t, [], { parent: parent.slug });
    const response = await t.req(`/roles/${parent.slug}`, send("DELETE", undefined, admin.headers));
    expect(response.status).toBe(409);
    expect(await body(response)).toEqual({ detail: `Role '${parent.slug}' is inherited by role(s): ${child.slug}` });
  });

  test("unknown → 404; 401 without or with bad credentials; 403 without role:delete", async () => {
    expect((await t.req("/roles/no-such-role", send("DELETE", undefined, admin.headers))).status).toBe(404);
    const role = await createRole(t);
    await expectUnauthenticated(t, `/roles/${role.slug}`, "DELETE");
    await expectDenied(t, `/roles/${role.slug}`, "DELETE", reader.headers, "role:delete");
  });
});

describe("relationship links under IMBI_API_URL's path", () => {
  test("hrefs carry the API prefix", async () => {
    const prefixed = await startTestApp({ IMBI_API_URL: "https://imbi.example.com/api" });
    try {
      const user = await createUser(prefixed, { isAdmin: true });
      const { access_token } = await body<{ access_token: string }>(await prefixed.req("/api/auth/login", json({ email: user.email, password: user.password })));
      const roles = await body<Role[]>(await prefixed.req("/api/roles/", send("GET", undefined, bearer(access_token))));
      expect(roles.find((r) => r.slug === "admin")!.relationships).toMatchObject({
        permissions: { href: "/api/roles/admin/permissions" }, users: { href: "/api/roles/admin/users" },
      });
    } finally {
      await prefixed.close();
    }
  });
});
