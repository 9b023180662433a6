/** POST /users/{email}/password: self change, setting another user's, policy (D3), sessions ended. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createApiKey, createOrg, createServiceAccount, createUser, json, login, send, type TestUser } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { body, caller, expectUnauthenticated, type Caller } from "./fixtures.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: Caller;
let manager: Caller; // the admin role (user:update), not is_admin
let reader: Caller;
const events: DomainEvent[] = [];
const NEW = "Brand-New-Secret-42";

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  org = await createOrg(t);
  admin = await caller(t, { org, role: "admin", isAdmin: true });
  manager = await caller(t, { org, role: "admin" });
  reader = await caller(t, { org, role: "readonly" });
});
afterAll(() => t.close());

const change = (email: string, payload: unknown, headers: Record<string, string>) => t.req(`/users/${email}/password`, json(payload, headers));
const canLogin = async (user: { email: string }, password: string) =>
  (await t.req("/auth/login", json({ email: user.email, password }))).status === 200;
const works = async (headers: Record<string, string>) => (await t.req("/users/me", send("GET", undefined, headers))).status === 200;

describe("POST /users/{email}/password", () => {
  test("self change: the new password works, this session stays, the others end", async () => {
    const user = await caller(t, { org, role: "developer" });
    const other = bearer((await login(t, user)).access_token);
    const response = await change(user.email, { current_password: user.password, new_password: NEW }, user.headers);
    expect(response.status).toBe(204);
    expect(await canLogin(user, NEW)).toBe(true);
    expect(await canLogin(user, user.password)).toBe(false);
    expect(await works(user.headers)).toBe(true);
    expect(await works(other)).toBe(false);
    expect(events.find((e) => e.type === "user.password_changed" && e.detail?.email === user.email))
      .toMatchObject({ actor_id: user.id, detail: { by_self: true, sessions_ended: 1 } });
  });

  test("self change without the current password → 400; with a wrong one → 401", async () => {
    const user = await caller(t, { org, role: "developer" });
    const missing = await change(user.email, { new_password: NEW }, user.headers);
    expect(missing.status).toBe(400);
    expect(await body(missing)).toEqual({ detail: "Current password is required" });
    const wrong = await change(user.email, { current_password: "Not-The-Password-1", new_password: NEW }, user.headers);
    expect(wrong.status).toBe(401);
    expect(await body(wrong)).toEqual({ detail: "Current password is incorrect" });
    expect(await canLogin(user, user.password)).toBe(true);
  });

  test("an is_admin user changing their own password still needs the current one", async () => {
    const response = await change(admin.email, { new_password: NEW }, admin.headers);
    expect(response.status).toBe(400);
  });

  test("the policy reports every unmet rule for new_password, without echoing it", async () => {
    const user = await caller(t, { org, role: "developer" });
    const response = await change(user.email, { current_password: user.password, new_password: "lowercaseonly" }, user.headers);
    expect(response.status).toBe(422);
    expect(await body(response)).toEqual({
      detail: [
        { type: "value_error", loc: ["body", "new_password"], msg: "Password must contain at least one uppercase letter" },
        { type: "value_error", loc: ["body", "new_password"], msg: "Password must contain at least one digit" },
        { type: "value_error", loc: ["body", "new_password"], msg: "Password must contain at least one special character" },
      ],
    });
    expect(await canLogin(user, user.password)).toBe(true);
  });

  test("an admin sets another user's password without the current one; all their sessions end", async () => {
    const user = await caller(t, { org, role: "developer" });
    const response = await change(user.email, { new_password: NEW }, admin.headers);
    expect(response.status).toBe(204);
    expect(await works(user.headers)).toBe(false);
    expect(await canLogin(user, NEW)).toBe(true);
    expect(events.find((e) => e.type === "user.password_changed" && e.detail?.email === user.email))
      .toMatchObject({ actor_id: admin.id, detail: { by_self: false } });
  });

  test("a holder of user:update sets a non-admin's password, but not an admin's", async () => {
    const user = await createUser(t, { org, role: "developer" });
    expect((await change(user.email, { new_password: NEW }, manager.headers)).status).toBe(204);
    const adminUser = await createUser(t, { org, role: "admin", isAdmin: true });
    const response = await change(adminUser.email, { new_password: NEW }, manager.headers);
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "Only admins can change an admin's password" });
    expect(await canLogin(adminUser, adminUser.password)).toBe(true);
  });

  test("without user:update another user's password → 403", async () => {
    const user = await createUser(t, { org, role: "developer" });
    const response = await change(user.email, { new_password: NEW }, reader.headers);
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "Cannot change another user's password" });
  });

  test("unknown user → 404; a service-account user → 400", async () => {
    const missing = await change("ghost@example.com", { new_password: NEW }, admin.headers);
    expect(missing.status).toBe(404);
    expect(await body(missing)).toEqual({ detail: "User with email 'ghost@example.com' not found" });
    const legacy: TestUser = await createUser(t, { password: null });
    await t.infra.sql`update users set is_service_account = true where id = ${legacy.id}`;
    const sa = await change(legacy.email, { new_password: NEW }, admin.headers);
    expect(sa.status).toBe(400);
    expect(await body(sa)).toEqual({ detail: "Service accounts cannot have passwords" });
  });

  test("a service-account principal → 403", async () => {
    const account = await createServiceAccount(t, { org, role: "admin" });
    const { key } = await createApiKey(t, { serviceAccountId: account.id });
    const response = await change(reader.email, { new_password: NEW }, bearer(key));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "This endpoint requires user authentication" });
  });

  test("401 without or with bad credentials", async () => {
    await expectUnauthenticated(t, `/users/${reader.email}/password`, "POST", { current_password: reader.password, new_password: NEW });
  });

  test.each([
    ["new_password", {}, "missing"],
    ["new_password", { new_password: 12345678 }, "string_type"],
    ["current_password", { current_password: 5, new_password: NEW }, "union_error"],
  ])("malformed %s (%j) → 422 %s", async (field, payload, type) => {
    const response = await change(reader.email, payload, reader.headers);
    expect(response.status).toBe(422);
    const { detail } = await body<{ detail: { loc: unknown[]; type: string }[] }>(response);
    expect(detail.find((d) => d.loc[1] === field)?.type).toBe(type);
  });
});
