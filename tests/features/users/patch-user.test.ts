/** PATCH /users/{email}: JSON Patch over the user, `organizations` reconciled per organization (D2). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createApiKey, createOrg, createServiceAccount, createUser, json, send, type TestUser } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { addMembership, body, caller, expectDenied, expectUnauthenticated, patch, type Caller } from "./fixtures.ts";

let t: TestApp;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
let admin: Caller;
let manager: Caller; // the admin role in org A only
let reader: Caller;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  orgA = await createOrg(t);
  orgB = await createOrg(t);
  admin = await caller(t, { org: orgA, role: "admin", isAdmin: true });
  manager = await caller(t, { org: orgA, role: "admin" });
  reader = await caller(t, { org: orgA, role: "readonly" });
});
afterAll(() => t.close());

const memberOfA = () => createUser(t, { org: orgA, role: "developer" });
const patchAs = (who: Caller, user: TestUser, operations: unknown) => t.req(`/users/${user.email}`, patch(operations, who.headers));
const membershipsOf = async (user: TestUser) => (await t.infra.sql<{ slug: string; role: string }[]>`
  select o.slug, r.slug as role from organization_memberships m join organizations o on o.id = m.organization_id
  join roles r on r.id = m.role_id where m.user_id = ${user.id} order by o.slug`).map((m) => `${m.slug}:${m.role}`);

describe("PATCH /users/{email}", () => {
  test("replaces fields and returns the user", async () => {
    const user = await memberOfA();
    const response = await patchAs(admin, user, [
      { op: "replace", path: "/display_name", value: "Renamed" },
      { op: "replace", path: "/email_notifications", value: false },
      { op: "test", path: "/is_active", value: true },
    ]);
    expect(response.status).toBe(200);
    expect(await body(response)).toMatchObject({ email: user.email, display_name: "Renamed", email_notifications: false });
    const [row] = await t.infra.sql<{ display_name: string; updated_at: Date | null }[]>`select display_name, updated_at from users where id = ${user.id}`;
    expect(row!.display_name).toBe("Renamed");
    expect(row!.updated_at).not.toBeNull();
    expect(events.find((e) => e.type === "user.updated" && e.detail?.email === user.email)).toMatchObject({ actor_id: admin.id });
  });

  test("organizations: add, change a role and remove, in one patch", async () => {
    const user = await memberOfA();
    const response = await patchAs(admin, user, [
      { op: "replace", path: "/organizations", value: [{ organization_slug: orgB.slug, role: "readonly" }] },
      { op: "add", path: "/organizations/-", value: { organization_slug: orgA.slug, role: "admin", organization_name: "ignored" } },
    ]);
    expect(response.status).toBe(200);
    const { organizations } = await body<{ organizations: { organization_slug: string; role: string }[] }>(response);
    expect(organizations.map((m) => `${m.organization_slug}:${m.role}`).sort()).toEqual([`${orgA.slug}:admin`, `${orgB.slug}:readonly`].sort());
    const removed = await patchAs(admin, user, [{ op: "remove", path: "/organizations/1" }]);
    expect(removed.status).toBe(200);
    expect((await membershipsOf(user)).length).toBe(1);
  });

  test("D2: membership changes need user:update in each organization touched", async () => {
    const user = await memberOfA();
    const addB = await patchAs(manager, user, [{ op: "add", path: "/organizations/-", value: { organization_slug: orgB.slug, role: "developer" } }]);
    expect(addB.status).toBe(403);
    expect(await body(addB)).toEqual({ detail: "Permission denied: user:update required" });
    expect(await membershipsOf(user)).toEqual([`${orgA.slug}:developer`]);
    const inA = await patchAs(manager, user, [{ op: "replace", path: "/organizations/0/role", value: "readonly" }]);
    expect(inA.status).toBe(200);
    expect(await membershipsOf(user)).toEqual([`${orgA.slug}:readonly`]);

    const both = await createUser(t, { org: orgB, role: "developer" });
    await addMembership(t, both.id, orgA.id, "developer");
    const dropB = await patchAs(manager, both, [{ op: "replace", path: "/organizations", value: [{ organization_slug: orgA.slug, role: "developer" }] }]);
    expect(dropB.status).toBe(403);
    // Fields other than memberships are not organization-scoped, and an unchanged membership needs nothing.
    const rename = await patchAs(manager, both, [{ op: "replace", path: "/display_name", value: "Both" }]);
    expect(rename.status).toBe(200);
  });

  test.each([
    [[{ organization_slug: "no-such-org", role: "developer" }], "Unknown organization(s): no-such-org"],
    [[{ organization_slug: "ORG", role: "no-such-role" }], "Unknown role(s): no-such-role"],
    [[{ organization_slug: "ORG", role: "developer" }, { organization_slug: "ORG", role: "readonly" }], "Duplicate membership for organization 'ORG'"],
  ])("organizations %j → 400, nothing changed", async (value, detail) => {
    const user = await memberOfA();
    const fill = (s: string) => s.replaceAll("ORG", orgB.slug);
    const operations = [
      { op: "replace", path: "/display_name", value: "Should Not Stick" },
      { op: "replace", path: "/organizations", value: JSON.parse(fill(JSON.stringify(value))) },
    ];
    const response = await patchAs(admin, user, operations);
    expect(response.status).toBe(400);
    expect(await body(response)).toEqual({ detail: fill(detail) });
    const [row] = await t.infra.sql<{ display_name: string }[]>`select display_name from users where id = ${user.id}`;
    expect(row!.display_name).not.toBe("Should Not Stick");
  });

  test("only is_admin users modify admin users or grant admin", async () => {
    const adminUser = await createUser(t, { isAdmin: true, org: orgA, role: "admin" });
    const modify = await patchAs(manager, adminUser, [{ op: "replace", path: "/display_name", value: "x" }]);
    expect(modify.status).toBe(403);
    expect(await body(modify)).toEqual({ detail: "Only admins can modify admin users" });
    const user = await memberOfA();
    const grant = await patchAs(manager, user, [{ op: "replace", path: "/is_admin", value: true }]);
    expect(grant.status).toBe(403);
    expect(await body(grant)).toEqual({ detail: "Only admins can grant admin privileges" });
    const byAdmin = await patchAs(admin, user, [{ op: "replace", path: "/is_admin", value: true }]);
    expect(byAdmin.status).toBe(200);
    expect((await body(byAdmin)).is_admin).toBe(true);
  });

  test("deactivating a user ends their sessions; deactivating yourself → 400", async () => {
    const target = await caller(t, { org: orgA, role: "developer" });
    expect((await t.req("/users/me", send("GET", undefined, target.headers))).status).toBe(200);
    const response = await patchAs(admin, target, [{ op: "replace", path: "/is_active", value: false }]);
    expect(response.status).toBe(200);
    expect((await body(response)).is_active).toBe(false);
    expect((await t.req("/users/me", send("GET", undefined, target.headers))).status).toBe(401);
    const revoked = await t.infra.sql`select 1 from sessions where user_id = ${target.id} and revoked_at is null`;
    expect(revoked.length).toBe(0);
    expect(events.find((e) => e.type === "user.deactivated" && e.detail?.email === target.email)).toMatchObject({ actor_id: admin.id });
    expect((await t.req("/auth/login", json({ email: target.email, password: target.password }))).status).toBe(401);

    const self = await t.req(`/users/${manager.email}`, patch([{ op: "replace", path: "/is_active", value: false }], manager.headers));
    expect(self.status).toBe(400);
    expect(await body(self)).toEqual({ detail: "Cannot deactivate your own account" });
  });

  test("becoming a service account clears the password; a service account cannot be admin", async () => {
    const user = await memberOfA();
    expect((await patchAs(admin, user, [{ op: "replace", path: "/is_service_account", value: true }])).status).toBe(200);
    const [row] = await t.infra.sql<{ password_hash: string | null }[]>`select password_hash from users where id = ${user.id}`;
    expect(row!.password_hash).toBeNull();
    const both = await patchAs(admin, user, [{ op: "replace", path: "/is_admin", value: true }]);
    expect(both.status).toBe(400);
    expect(await body(both)).toEqual({ detail: "Service accounts cannot be admins" });
  });

  describe("JSON Patch edge cases", () => {
    test.each(["/email", "/created_at", "/id", ""])("read-only path %j → 400", async (path) => {
      const user = await memberOfA();
      const response = await patchAs(admin, user, [{ op: "replace", path, value: "x@example.com" }]);
      expect(response.status).toBe(400);
    });

    test("a failed test op → 422 and nothing changes", async () => {
      const user = await memberOfA();
      const response = await patchAs(admin, user, [
        { op: "replace", path: "/display_name", value: "Changed" },
        { op: "test", path: "/display_name", value: "something else" },
      ]);
      expect(response.status).toBe(422);
      const [row] = await t.infra.sql<{ display_name: string }[]>`select display_name from users where id = ${user.id}`;
      expect(row!.display_name).not.toBe("Changed");
    });

    test.each([
      [{ op: "replace", path: "/no_such_field", value: 1 }],
      [{ op: "remove", path: "/organizations/7" }],
      [{ op: "add", path: "/display_name" }],
      [{ op: "move", path: "/display_name" }],
      [{ op: "copy", from: "/nothing", path: "/display_name" }],
    ])("invalid operation %j → 400", async (operation) => {
      const response = await patchAs(admin, await memberOfA(), [operation]);
      expect(response.status).toBe(400);
    });

    test.each([
      [{ op: "replace", path: "/display_name", value: 5 }, "display_name", "string_type"],
      [{ op: "replace", path: "/display_name", value: "" }, "display_name", "string_too_short"],
      [{ op: "replace", path: "/is_active", value: "no" }, "is_active", "bool_type"],
      [{ op: "replace", path: "/is_admin", value: null }, "is_admin", "bool_type"],
      [{ op: "replace", path: "/organizations", value: "all" }, "organizations", "list_type"],
      [{ op: "replace", path: "/organizations", value: ["x"] }, "organizations", "dict_type"],
      [{ op: "replace", path: "/organizations", value: [{ organization_slug: "x" }] }, "organizations", "missing"],
      [{ op: "add", path: "/avatar_url", value: "https://example.com/a.png" }, "avatar_url", "extra_forbidden"],
    ])("patched document %j → 422 at %s", async (operation, field, type) => {
      const response = await patchAs(admin, await memberOfA(), [operation]);
      expect(response.status).toBe(422);
      const { detail } = await body<{ detail: { loc: unknown[]; type: string }[] }>(response);
      expect(detail[0]!.loc.slice(0, 2)).toEqual(["body", field]);
      expect(detail.map((d) => d.type)).toContain(type);
    });

    test.each([
      [{ op: "frobnicate", path: "/display_name", value: "x" }],
      [{ path: "/display_name", value: "x" }],
      [{ op: "replace", path: 5, value: "x" }],
    ])("malformed operation %j → 422", async (operation) => {
      const response = await patchAs(admin, await memberOfA(), [operation]);
      expect(response.status).toBe(422);
    });

    test.each([[{ op: "replace", path: "/display_name", value: "x" }], ["nope"]])("a body that is not an array (%j) → 422", async (payload) => {
      const response = await patchAs(admin, await memberOfA(), payload);
      expect(response.status).toBe(422);
    });
  });

  test("unknown user → 404; 401 without or with bad credentials; 403 without user:update or as a service account", async () => {
    const operations = [{ op: "replace", path: "/display_name", value: "x" }];
    const missing = await t.req("/users/ghost@example.com", patch(operations, admin.headers));
    expect(missing.status).toBe(404);
    expect(await body(missing)).toEqual({ detail: "User with email 'ghost@example.com' not found" });
    const user = await memberOfA();
    await expectUnauthenticated(t, `/users/${user.email}`, "PATCH", operations);
    await expectDenied(t, `/users/${user.email}`, "PATCH", reader.headers, "user:update", operations);
    const account = await createServiceAccount(t, { org: orgA, role: "admin" });
    const { key } = await createApiKey(t, { serviceAccountId: account.id });
    const bySa = await t.req(`/users/${user.email}`, patch(operations, { authorization: `Bearer ${key}` }));
    expect(bySa.status).toBe(403);
    expect(await body(bySa)).toEqual({ detail: "This endpoint requires user authentication" });
  });
});
