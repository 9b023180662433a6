/** GET /users/, POST /users/, GET /users/{email}, DELETE /users/{email}. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createApiKey, createOrg, createServiceAccount, createUser, json, login, send, unique } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { body, caller, createRole, expectDenied, expectUnauthenticated, type Caller } from "./fixtures.ts";

let t: TestApp;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
let admin: Caller;
let manager: Caller; // the admin role in org A, not is_admin
let reader: Caller; // readonly in org A
let nobody: Caller; // a role without permissions
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  orgA = await createOrg(t);
  orgB = await createOrg(t);
  const empty = await createRole(t, []);
  admin = await caller(t, { org: orgA, role: "admin", isAdmin: true });
  manager = await caller(t, { org: orgA, role: "admin" });
  reader = await caller(t, { org: orgA, role: "readonly" });
  nobody = await caller(t, { org: orgA, role: empty.slug });
});
afterAll(() => t.close());

const newUser = (overrides: Record<string, unknown> = {}) => ({
  email: `${unique("new")}@example.com`, display_name: "New Person", password: "Another-Good-Pass-7",
  organization_slug: orgA.slug, role_slug: "developer", ...overrides,
});

describe("POST /users/", () => {
  test("creates the user with a membership; the password works; no hash in the response", async () => {
    const input = newUser();
    const response = await t.req("/users/", json(input, admin.headers));
    expect(response.status).toBe(201);
    const created = await body(response);
    expect(created).toMatchObject({
      email: input.email, display_name: "New Person", is_active: true, is_admin: false, is_service_account: false,
      email_notifications: true, last_login: null, avatar_url: null,
      organizations: [{ organization_name: orgA.slug.toUpperCase(), organization_slug: orgA.slug, role: "developer" }],
    });
    expect(Object.keys(created)).not.toContain("password_hash");
    expect(Number.isNaN(Date.parse(created.created_at as string))).toBe(false);
    await login(t, { email: input.email, password: input.password });
    const [row] = await t.infra.sql<{ password_hash: string }[]>`select password_hash from users where email = ${input.email}`;
    expect(row!.password_hash.startsWith("$argon2id$")).toBe(true);
    expect(events.find((e) => e.type === "user.created" && e.detail?.email === input.email)).toMatchObject({ actor_id: admin.id, outcome: "success" });
  });

  test("the email's domain is lowercased, as the reference's EmailStr does", async () => {
    const response = await t.req("/users/", json(newUser({ email: "Mixed.Case@Example.COM" }), admin.headers));
    expect(response.status).toBe(201);
    expect((await body(response)).email).toBe("Mixed.Case@example.com");
  });

  test("without a password the user is OAuth-only and cannot log in with one", async () => {
    const input = newUser({ password: null });
    expect((await t.req("/users/", json(input, admin.headers))).status).toBe(201);
    const attempt = await t.req("/auth/login", json({ email: input.email, password: "Another-Good-Pass-7" }));
    expect(attempt.status).toBe(401);
  });

  test("an existing email (in any case) → 409", async () => {
    const input = newUser();
    expect((await t.req("/users/", json(input, admin.headers))).status).toBe(201);
    const again = await t.req("/users/", json({ ...input, email: input.email.toUpperCase() }, admin.headers));
    expect(again.status).toBe(409);
    expect((await body(again)).detail).toContain("already exists");
  });

  test("the password policy lists every unmet rule, without echoing the password", async () => {
    const response = await t.req("/users/", json(newUser({ password: "abc" }), admin.headers));
    expect(response.status).toBe(422);
    const { detail } = await body<{ detail: Record<string, unknown>[] }>(response);
    expect(detail.map((d) => d.msg)).toEqual([
      "Password must be at least 12 characters",
      "Password must contain at least one uppercase letter",
      "Password must contain at least one digit",
      "Password must contain at least one special character",
    ]);
    for (const d of detail) {
      expect(d).toEqual({ type: "value_error", loc: ["body", "password"], msg: d.msg });
    }
  });

  test("a caller with user:create only in another organization → 403 (D2)", async () => {
    const response = await t.req("/users/", json(newUser({ organization_slug: orgB.slug }), manager.headers));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "Permission denied: user:create required" });
    expect((await t.req("/users/", json(newUser(), manager.headers))).status).toBe(201);
  });

  test("only is_admin users create admin users", async () => {
    const response = await t.req("/users/", json(newUser({ is_admin: true }), manager.headers));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "Only admins can create admin users" });
    const byAdmin = await t.req("/users/", json(newUser({ is_admin: true }), admin.headers));
    expect(byAdmin.status).toBe(201);
    expect((await body(byAdmin)).is_admin).toBe(true);
  });

  test.each([
    [{ is_service_account: true }, "Service accounts cannot have passwords"],
    [{ is_service_account: true, password: null, is_admin: true }, "Service accounts cannot be admins"],
  ])("%j → 400", async (overrides, detail) => {
    const response = await t.req("/users/", json(newUser(overrides), admin.headers));
    expect(response.status).toBe(400);
    expect(await body(response)).toEqual({ detail });
  });

  test("unknown organization or role → 404, and no user is left behind", async () => {
    const first = newUser({ organization_slug: "no-such-org" });
    const noOrg = await t.req("/users/", json(first, admin.headers));
    expect(noOrg.status).toBe(404);
    expect(await body(noOrg)).toEqual({ detail: "Organization 'no-such-org' not found" });
    const second = newUser({ role_slug: "no-such-role" });
    const noRole = await t.req("/users/", json(second, admin.headers));
    expect(noRole.status).toBe(404);
    expect(await body(noRole)).toEqual({ detail: "Role 'no-such-role' not found" });
    const rows = await t.infra.sql`select 1 from users where email in ${t.infra.sql([first.email, second.email])}`;
    expect(rows.length).toBe(0);
  });

  test("401 without or with bad credentials; 403 without user:create", async () => {
    await expectUnauthenticated(t, "/users/", "POST", newUser());
    await expectDenied(t, "/users/", "POST", reader.headers, "user:create", newUser());
  });

  test.each([
    ["email", { email: undefined }, "missing"],
    ["email", { email: "not-an-email" }, "string_pattern_mismatch"],
    ["email", { email: "nul\u0000@example.com" }, "string_pattern_mismatch"],
    ["email", { email: 42 }, "string_type"],
    ["display_name", { display_name: "" }, "string_too_short"],
    ["display_name", { display_name: "a\u0000b" }, "string_pattern_mismatch"],
    ["display_name", { display_name: undefined }, "missing"],
    ["organization_slug", { organization_slug: undefined }, "missing"],
    ["organization_slug", { organization_slug: "" }, "string_too_short"],
    ["role_slug", { role_slug: undefined }, "missing"],
    ["role_slug", { role_slug: ["developer"] }, "string_type"],
    ["is_admin", { is_admin: "yes" }, "bool_type"],
    ["is_active", { is_active: 1 }, "bool_type"],
    ["password", { password: 123456789012 }, "union_error"],
  ])("malformed %s (%j) → 422 %s", async (field, overrides, type) => {
    const response = await t.req("/users/", json(newUser(overrides), admin.headers));
    expect(response.status).toBe(422);
    const { detail } = await body<{ detail: { loc: unknown[]; type: string }[] }>(response);
    expect(detail.find((d) => d.loc[1] === field)?.type).toBe(type);
  });

  test("malformed JSON → 400", async () => {
    const response = await t.req("/users/", { method: "POST", body: "{", headers: { "content-type": "application/json", ...admin.headers } });
    expect(response.status).toBe(400);
  });
});

describe("GET /users/", () => {
  test("every user by email, with memberships and without secrets", async () => {
    const response = await t.req("/users/", send("GET", undefined, reader.headers));
    expect(response.status).toBe(200);
    const users = await body<Record<string, unknown>[]>(response);
    const emails = users.map((u) => u.email as string);
    expect(emails).toEqual([...emails].sort());
    expect(emails).toContain(admin.email);
    expect(users.find((u) => u.email === manager.email)!.organizations).toEqual([
      { organization_name: orgA.slug.toUpperCase(), organization_slug: orgA.slug, role: "admin" },
    ]);
    for (const u of users) expect(u).not.toHaveProperty("password_hash");
  });

  test("?is_admin and ?is_active filter", async () => {
    const inactive = await createUser(t, { isActive: false });
    const admins = await body<{ email: string; is_admin: boolean }[]>(await t.req("/users/?is_admin=true", send("GET", undefined, reader.headers)));
    expect(admins.map((u) => u.email)).toContain(admin.email);
    expect(admins.every((u) => u.is_admin)).toBe(true);
    const off = await body<{ email: string; is_active: boolean }[]>(await t.req("/users/?is_active=false", send("GET", undefined, reader.headers)));
    expect(off.map((u) => u.email)).toEqual([inactive.email]);
    const both = await body<unknown[]>(await t.req("/users/?is_active=false&is_admin=true", send("GET", undefined, reader.headers)));
    expect(both).toEqual([]);
  });

  test.each(["is_active=maybe", "is_admin=2"])("?%s → 422", async (query) => {
    const response = await t.req(`/users/?${query}`, send("GET", undefined, reader.headers));
    expect(response.status).toBe(422);
    expect((await body<{ detail: { loc: unknown[] }[] }>(response)).detail[0]!.loc[0]).toBe("query");
  });

  test("the path without its trailing slash is the same route", async () => {
    expect((await t.req("/users", send("GET", undefined, reader.headers))).status).toBe(200);
  });

  test("401 without or with bad credentials; 403 without user:read", async () => {
    await expectUnauthenticated(t, "/users/", "GET");
    await expectDenied(t, "/users/", "GET", nobody.headers, "user:read");
  });
});

describe("GET /users/{email}", () => {
  test("the user with memberships; case-insensitive and percent-encoded", async () => {
    for (const path of [manager.email, manager.email.toUpperCase(), encodeURIComponent(manager.email)]) {
      const response = await t.req(`/users/${path}`, send("GET", undefined, reader.headers));
      expect(response.status).toBe(200);
      expect(await body(response)).toMatchObject({ email: manager.email, organizations: [{ organization_slug: orgA.slug, role: "admin" }] });
    }
  });

  test.each(["nobody@example.com", "nul%00@example.com", "%E2%98%83"])("unknown %s → 404", async (email) => {
    const response = await t.req(`/users/${email}`, send("GET", undefined, reader.headers));
    expect(response.status).toBe(404);
    expect((await body(response)).detail).toStartWith("User with email '");
  });

  test("401 without or with bad credentials; 403 without user:read", async () => {
    await expectUnauthenticated(t, `/users/${manager.email}`, "GET");
    await expectDenied(t, `/users/${manager.email}`, "GET", nobody.headers, "user:read");
  });
});

describe("DELETE /users/{email}", () => {
  test("deletes the user, their memberships and sessions", async () => {
    const victim = await caller(t, { org: orgA, role: "developer" });
    const response = await t.req(`/users/${victim.email}`, send("DELETE", undefined, admin.headers));
    expect(response.status).toBe(204);
    expect((await t.req(`/users/${victim.email}`, send("GET", undefined, admin.headers))).status).toBe(404);
    expect((await t.req("/users/me", send("GET", undefined, victim.headers))).status).toBe(401);
    expect((await t.infra.sql`select 1 from organization_memberships where user_id = ${victim.id}`).length).toBe(0);
    expect(events.find((e) => e.type === "user.deleted" && e.detail?.email === victim.email)).toMatchObject({ actor_id: admin.id });
  });

  test("your own account → 400", async () => {
    const response = await t.req(`/users/${manager.email}`, send("DELETE", undefined, manager.headers));
    expect(response.status).toBe(400);
    expect(await body(response)).toEqual({ detail: "Cannot delete your own account" });
  });

  test("an is_admin user is deleted only by an is_admin user", async () => {
    const other = await createUser(t, { isAdmin: true, org: orgA, role: "admin" });
    const response = await t.req(`/users/${other.email}`, send("DELETE", undefined, manager.headers));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "Only admins can delete admin users" });
    expect((await t.req(`/users/${other.email}`, send("DELETE", undefined, admin.headers))).status).toBe(204);
  });

  test("a service account holding user:delete is refused: a user principal is required", async () => {
    const account = await createServiceAccount(t, { org: orgA, role: "admin" });
    const { key } = await createApiKey(t, { serviceAccountId: account.id });
    const target = await createUser(t, { org: orgA });
    const response = await t.req(`/users/${target.email}`, send("DELETE", undefined, { authorization: `Bearer ${key}` }));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "This endpoint requires user authentication" });
  });

  test("unknown → 404; 401 without or with bad credentials; 403 without user:delete", async () => {
    expect((await t.req("/users/ghost@example.com", send("DELETE", undefined, admin.headers))).status).toBe(404);
    const target = await createUser(t, { org: orgA });
    await expectUnauthenticated(t, `/users/${target.email}`, "DELETE");
    await expectDenied(t, `/users/${target.email}`, "DELETE", reader.headers, "user:delete");
    expect((await t.req(`/users/${target.email}`, send("GET", undefined, admin.headers))).status).toBe(200);
  });
});

