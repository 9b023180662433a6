/** PATCH /roles/{slug}: JSON Patch over a custom role; slug uniqueness, inheritance without cycles. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createOrg, createUser, send } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { body, caller, createRole, expectDenied, expectUnauthenticated, patch, type Caller } from "../users/fixtures.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: Caller;
let editor: Caller; // role:update through a custom role
let reader: Caller;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  org = await createOrg(t);
  admin = await caller(t, { org, role: "admin", isAdmin: true });
  editor = await caller(t, { org, role: (await createRole(t, ["role:read", "role:update"])).slug });
  reader = await caller(t, { org, role: "readonly" });
});
afterAll(() => t.close());

type Role = { slug: string; name: string; parent_role: { slug: string } | null } & Record<string, unknown>;
const patchRole = (slug: string, operations: unknown, who: Caller = admin) => t.req(`/roles/${slug}`, patch(operations, who.headers));

describe("PATCH /roles/{slug}", () => {
  test("replaces fields and returns the role", async () => {
    const role = await createRole(t, ["project:read"]);
    const response = await patchRole(role.slug, [
      { op: "replace", path: "/name", value: "Renamed" },
      { op: "replace", path: "/description", value: "Now described" },
      { op: "replace", path: "/priority", value: 42 },
      { op: "test", path: "/priority", value: 42 },
    ], editor);
    expect(response.status).toBe(200);
    const updated = await body<Role>(response);
    expect(updated).toMatchObject({ slug: role.slug, name: "Renamed", description: "Now described", priority: 42, permissions: [{ name: "project:read" }] });
    expect(updated.updated_at).not.toBeNull();
    expect(events.find((e) => e.type === "role.updated" && e.detail?.role === role.slug)).toMatchObject({ actor_id: editor.id });
  });

  test("renaming the slug keeps the holders", async () => {
    const role = await createRole(t);
    const user = await createUser(t, { org, role: role.slug });
    const renamed = `${role.slug}-renamed`;
    const response = await patchRole(role.slug, [{ op: "replace", path: "/slug", value: renamed }]);
    expect(response.status).toBe(200);
    expect((await t.req(`/roles/${role.slug}`, send("GET", undefined, admin.headers))).status).toBe(404);
    const holders = await body<{ email: string }[]>(await t.req(`/roles/${renamed}/users`, send("GET", undefined, admin.headers)));
    expect(holders.map((u) => u.email)).toEqual([user.email]);
  });

  test("a slug in use → 409 naming the slug", async () => {
    const role = await createRole(t);
    const response = await patchRole(role.slug, [{ op: "replace", path: "/slug", value: "developer" }]);
    expect(response.status).toBe(409);
    expect(await body(response)).toEqual({ detail: "Role with slug 'developer' already exists" });
  });

  test("parent_role: set, change, clear; an unknown parent → 400", async () => {
    const role = await createRole(t);
    const set = await patchRole(role.slug, [{ op: "replace", path: "/parent_role", value: "readonly" }]);
    expect(set.status).toBe(200);
    expect((await body<Role>(set)).parent_role).toMatchObject({ slug: "readonly" });
    const cleared = await patchRole(role.slug, [{ op: "replace", path: "/parent_role", value: null }]);
    expect((await body<Role>(cleared)).parent_role).toBeNull();
    const unknown = await patchRole(role.slug, [{ op: "replace", path: "/parent_role", value: "no-such-role" }]);
    expect(unknown.status).toBe(400);
    expect(await body(unknown)).toEqual({ detail: "Parent role 'no-such-role' not found" });
  });

  test("inheritance cycles → 409", async () => {
    const top = await createRole(t);
    const middle = await createRole(t, [], { parent: top.slug });
    const bottom = await createRole(t, [], { parent: middle.slug });
    const cycle = await patchRole(top.slug, [{ op: "replace", path: "/parent_role", value: bottom.slug }]);
    expect(cycle.status).toBe(409);
    expect(await body(cycle)).toEqual({ detail: `Role '${top.slug}' cannot inherit from '${bottom.slug}': '${bottom.slug}' already inherits from '${top.slug}'` });
    const self = await patchRole(top.slug, [{ op: "replace", path: "/parent_role", value: top.slug }]);
    expect(self.status).toBe(409);
    expect(await body(self)).toEqual({ detail: `Role '${top.slug}' cannot inherit from itself` });
    const [row] = await t.infra.sql<{ parent_role_id: string | null }[]>`select parent_role_id from roles where id = ${top.id}`;
    expect(row!.parent_role_id).toBeNull();
  });

  test("a system role → 400", async () => {
    const response = await patchRole("developer", [{ op: "replace", path: "/name", value: "Dev" }]);
    expect(response.status).toBe(400);
    expect(await body(response)).toEqual({ detail: "Cannot modify system role" });
  });

  describe("JSON Patch edge cases", () => {
    test.each(["/id", "/created_at", "/updated_at", "/is_system", "/is_default", "/permissions", "/relationships"])("read-only path %s → 400", async (path) => {
      const role = await createRole(t);
      const response = await patchRole(role.slug, [{ op: "replace", path, value: true }]);
      expect(response.status).toBe(400);
      expect((await body(response)).detail).toContain("read-only");
    });

    test("a failed test op → 422 and nothing changes", async () => {
      const role = await createRole(t);
      const response = await patchRole(role.slug, [
        { op: "replace", path: "/name", value: "Changed" },
        { op: "test", path: "/priority", value: 99 },
      ]);
      expect(response.status).toBe(422);
      const [row] = await t.infra.sql<{ name: string }[]>`select name from roles where id = ${role.id}`;
      expect(row!.name).not.toBe("Changed");
    });

    test.each([
      [{ op: "replace", path: "/nothing", value: 1 }],
      [{ op: "remove", path: "/name/deeper" }],
      [{ op: "replace", path: "/name" }],
      [{ op: "copy", path: "/name" }],
    ])("invalid operation %j → 400", async (operation) => {
      const role = await createRole(t);
      expect((await patchRole(role.slug, [operation])).status).toBe(400);
    });

    test.each([
      [{ op: "replace", path: "/slug", value: "Not A Slug" }, "slug", "string_pattern_mismatch"],
      [{ op: "replace", path: "/slug", value: "" }, "slug", "string_too_short"],
      [{ op: "replace", path: "/name", value: "" }, "name", "string_too_short"],
      [{ op: "remove", path: "/name" }, "name", "missing"],
      [{ op: "replace", path: "/priority", value: "high" }, "priority", "int_type"],
      [{ op: "replace", path: "/priority", value: "7" }, "priority", "int_type"],
      [{ op: "replace", path: "/priority", value: 2 ** 40 }, "priority", "less_than_equal"],
      [{ op: "replace", path: "/parent_role", value: 5 }, "parent_role", "union_error"],
      [{ op: "add", path: "/color", value: "red" }, "color", "extra_forbidden"],
    ])("patched document %j → 422 at %s", async (operation, field, type) => {
      const role = await createRole(t);
      const response = await patchRole(role.slug, [operation]);
      expect(response.status).toBe(422);
      const { detail } = await body<{ detail: { loc: unknown[]; type: string }[] }>(response);
      expect(detail.find((d) => d.loc[1] === field)?.type).toBe(type);
    });

    test.each([[[{ op: "bogus", path: "/name", value: "x" }]], [{ op: "replace", path: "/name", value: "x" }]])("malformed patch %j → 422", async (payload) => {
      const role = await createRole(t);
      expect((await patchRole(role.slug, payload)).status).toBe(422);
    });
  });

  test("unknown → 404; 401 without or with bad credentials; 403 without role:update", async () => {
    const operations = [{ op: "replace", path: "/name", value: "x" }];
    const missing = await patchRole("no-such-role", operations);
    expect(missing.status).toBe(404);
    expect(await body(missing)).toEqual({ detail: "Role with slug 'no-such-role' not found" });
    const role = await createRole(t);
    await expectUnauthenticated(t, `/roles/${role.slug}`, "PATCH", operations);
    await expectDenied(t, `/roles/${role.slug}`, "PATCH", reader.headers, "role:update", operations);
  });
});
