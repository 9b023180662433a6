/** Using API keys made by POST /api-keys: expiry, revocation, rotation and scopes take effect at once. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, send, type TestUser } from "../../helpers/identity.ts";

let t: TestApp;
let owner: TestUser;
let auth: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  const org = await createOrg(t);
  // The admin role in the organization: holds service_account:read among everything else.
  owner = await createUser(t, { org, role: "admin" });
  auth = bearer((await login(t, owner)).access_token);
});
afterAll(() => t.close());

async function create(body: Record<string, unknown> = { name: "k" }, headers = auth) {
  const response = await t.req("/api-keys", json(body, headers));
  expect(response.status).toBe(201);
  return (await response.json()) as { key_id: string; key_secret: string };
}

const listWith = (key: string) => t.req("/api-keys", { headers: bearer(key) });
const permissionRouteWith = (key: string) => t.req("/service-accounts", { headers: bearer(key) });

describe("Bearer ik_… lifecycle", () => {
  test("an expired key stops working", async () => {
    const key = await create();
    expect((await listWith(key.key_secret)).status).toBe(200);
    await t.infra.sql`update api_keys set expires_at = now() - interval '1 second' where key_id = ${key.key_id}`;
    const response = await listWith(key.key_secret);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "API key expired" });
  });

  test("a revoked key stops working at once", async () => {
    const key = await create();
    expect((await listWith(key.key_secret)).status).toBe(200);
    expect((await t.req(`/api-keys/${key.key_id}`, send("DELETE", undefined, auth))).status).toBe(204);
    const response = await listWith(key.key_secret);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Invalid or revoked API key" });
  });

  test("after rotation the old secret fails and the new one works", async () => {
    const key = await create();
    expect((await listWith(key.key_secret)).status).toBe(200);
    const rotated = (await (await t.req(`/api-keys/${key.key_id}/rotate`, { method: "POST", headers: auth })).json()) as { key_secret: string };
    expect((await listWith(key.key_secret)).status).toBe(401);
    expect((await listWith(rotated.key_secret)).status).toBe(200);
  });

  test("a key can revoke itself", async () => {
    const key = await create();
    expect((await t.req(`/api-keys/${key.key_id}`, send("DELETE", undefined, bearer(key.key_secret)))).status).toBe(204);
    expect((await listWith(key.key_secret)).status).toBe(401);
  });

  test("use stamps last_used", async () => {
    const key = await create();
    await listWith(key.key_secret);
    const [row] = await t.infra.sql<{ last_used: Date | null }[]>`select last_used from api_keys where key_id = ${key.key_id}`;
    expect(row!.last_used).not.toBeNull();
  });
});

describe("scopes narrow the owner's permissions", () => {
  test("unscoped key: everything the owner may do", async () => {
    const key = await create();
    expect((await permissionRouteWith(key.key_secret)).status).toBe(200);
  });

  test("scoped to project:read: auth-only routes work, a service_account:read route is 403", async () => {
    const key = await create({ name: "narrow", scopes: ["project:read"] });
    expect((await listWith(key.key_secret)).status).toBe(200);
    const response = await permissionRouteWith(key.key_secret);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "Permission denied: service_account:read required" });
  });

  test("scoped to the permission the route needs → 200", async () => {
    const key = await create({ name: "exact", scopes: ["service_account:read"] });
    expect((await permissionRouteWith(key.key_secret)).status).toBe(200);
  });

  test("a scope the owner does not hold grants nothing", async () => {
    const org = await createOrg(t);
    const developer = await createUser(t, { org, role: "developer" });
    const devAuth = bearer((await login(t, developer)).access_token);
    const key = await create({ name: "wishful", scopes: ["service_account:read"] }, devAuth);
    expect((await permissionRouteWith(key.key_secret)).status).toBe(403);
  });

  test("is_admin users are narrowed by their key's scopes too", async () => {
    const admin = await createUser(t, { isAdmin: true });
    const adminAuth = bearer((await login(t, admin)).access_token);
    const scoped = await create({ name: "admin-narrow", scopes: ["project:read"] }, adminAuth);
    const unscoped = await create({ name: "admin-full" }, adminAuth);
    expect((await permissionRouteWith(scoped.key_secret)).status).toBe(403);
    expect((await permissionRouteWith(unscoped.key_secret)).status).toBe(200);
  });
});

describe("a scoped key cannot mint or re-secret a broader key", () => {
  test.each([
    ["no scopes (= everything)", { name: "escalate" }],
    ["a scope outside its own", { name: "escalate", scopes: ["project:read", "service_account:read"] }],
  ])("creating one with %s → 403", async (_, body) => {
    const scoped = await create({ name: "narrow", scopes: ["project:read"] });
    const response = await t.req("/api-keys", json(body, bearer(scoped.key_secret)));
    expect(response.status).toBe(403);
  });

  test("creating one within its scopes → 201", async () => {
    const scoped = await create({ name: "narrow", scopes: ["project:read", "project:write"] });
    expect((await t.req("/api-keys", json({ name: "narrower", scopes: ["project:read"] }, bearer(scoped.key_secret)))).status).toBe(201);
  });

  test("rotating a broader key → 403; rotating itself → 200", async () => {
    const broad = await create({ name: "broad" });
    const scoped = await create({ name: "narrow", scopes: ["project:read"] });
    expect((await t.req(`/api-keys/${broad.key_id}/rotate`, { method: "POST", headers: bearer(scoped.key_secret) })).status).toBe(403);
    expect((await t.req(`/api-keys/${scoped.key_id}/rotate`, { method: "POST", headers: bearer(scoped.key_secret) })).status).toBe(200);
  });
});
