/** POST /api-keys, GET /api-keys, DELETE /api-keys/{key_id}, POST /api-keys/{key_id}/rotate. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import {
  bearer, createApiKey, createClientCredential, createOrg, createServiceAccount, createUser, json, login, send, type TestUser,
} from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { hashSecret } from "../../../src/lib/secrets.ts";

let t: TestApp;
let user: TestUser;
let other: TestUser;
let auth: Record<string, string>;
let otherAuth: Record<string, string>;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((e) => void events.push(e));
  const org = await createOrg(t);
  user = await createUser(t, { org, role: "developer" });
  other = await createUser(t, { org, role: "developer" });
  auth = bearer((await login(t, user)).access_token);
  otherAuth = bearer((await login(t, other)).access_token);
});
afterAll(() => t.close());

type Created = { key_id: string; key_secret: string; name: string; description: string | null; scopes: string[]; expires_at: string };
type Listed = Omit<Created, "key_secret"> & { created_at: string; last_used: string | null; last_rotated: string | null; revoked: boolean; revoked_at: string | null };

async function create(body: Record<string, unknown> = { name: "ci" }, headers = auth): Promise<Created> {
  const response = await t.req("/api-keys", json(body, headers));
  expect(response.status).toBe(201);
  return (await response.json()) as Created;
}

const list = async (headers = auth) => (await (await t.req("/api-keys", { headers })).json()) as Listed[];

/** Each route with a request that would succeed for `user`, for the 401/403 tables. */
const routes: [string, () => Promise<[string, RequestInit]>][] = [
  ["POST /api-keys", async () => ["/api-keys", json({ name: "x" })]],
  ["GET /api-keys", async () => ["/api-keys", { method: "GET" }]],
  ["DELETE /api-keys/{key_id}", async () => [`/api-keys/${(await create()).key_id}`, { method: "DELETE" }]],
  ["POST /api-keys/{key_id}/rotate", async () => [`/api-keys/${(await create()).key_id}/rotate`, { method: "POST" }]],
];

describe("POST /api-keys", () => {
  test("returns the full key once; only the SHA-256 of the secret is stored", async () => {
    const key = await create({ name: "deploy", description: "CI deploys", scopes: ["project:read", "project:write"], expires_in_days: 30 });
    expect(key.key_id).toMatch(/^ik_[0-9a-f]{32}$/);
    expect(key.key_secret.startsWith(`${key.key_id}_`)).toBe(true);
    expect(key).toMatchObject({ name: "deploy", description: "CI deploys", scopes: ["project:read", "project:write"] });
    const days = (Date.parse(key.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const secret = key.key_secret.slice(key.key_id.length + 1);
    const [row] = await t.infra.sql<{ secret_hash: string; user_id: string }[]>`select secret_hash, user_id from api_keys where key_id = ${key.key_id}`;
    expect(row).toEqual({ secret_hash: hashSecret(secret), user_id: user.id });
    expect(JSON.stringify(await list())).not.toContain(secret);
  });

  test("the new key authenticates as its owner", async () => {
    const key = await create();
    const response = await t.req("/api-keys", { headers: bearer(key.key_secret) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Listed[]).map((k) => k.key_id)).toContain(key.key_id);
  });

  test("scopes are stored as given even when the owner lacks them; duplicates are dropped", async () => {
    const key = await create({ name: "x", scopes: ["service_account:delete", "project:read", "project:read"] });
    expect(key.scopes).toEqual(["service_account:delete", "project:read"]);
  });

  test("unknown scopes → 400 naming them", async () => {
    const response = await t.req("/api-keys", json({ name: "x", scopes: ["project:read", "nope:read", "bogus"] }, auth));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Unknown scope(s): nope:read, bogus. Scopes must match seeded Permission names." });
  });

  test("emits api_key.created with the key id and never the secret", async () => {
    const key = await create({ name: "evented" });
    const event = events.find((e) => e.type === "api_key.created" && e.detail?.key_id === key.key_id);
    expect(event).toMatchObject({ outcome: "success", actor_id: user.id, actor_type: "user" });
    expect(event?.request_id).toBeString(); // the security alert names the request's IP and browser
    expect(JSON.stringify(event)).not.toContain(key.key_secret.slice(key.key_id.length + 1));
  });

  test.each([
    ["name missing", {}],
    ["name empty", { name: "" }],
    ["name too long", { name: "x".repeat(129) }],
    ["name not a string", { name: 5 }],
    ["description not a string", { name: "x", description: 5 }],
    ["scopes not an array", { name: "x", scopes: "project:read" }],
    ["scope not a string", { name: "x", scopes: [1] }],
    ["scope empty", { name: "x", scopes: [""] }],
    ["expires_in_days zero", { name: "x", expires_in_days: 0 }],
    ["expires_in_days negative", { name: "x", expires_in_days: -5 }],
    ["expires_in_days fractional", { name: "x", expires_in_days: 1.5 }],
    ["expires_in_days not a number", { name: "x", expires_in_days: "ten" }],
  ])("%s → 422", async (_, body) => {
    const response = await t.req("/api-keys", json(body, auth));
    expect(response.status).toBe(422);
    expect(Array.isArray(((await response.json()) as { detail: unknown }).detail)).toBe(true);
  });

  test("malformed JSON → 400", async () => {
    const response = await t.req("/api-keys", { method: "POST", body: "{", headers: { "content-type": "application/json", ...auth } });
    expect(response.status).toBe(400);
  });
});

describe("GET /api-keys", () => {
  test("lists only the caller's keys, newest first, revoked included", async () => {
    const mine = await create({ name: "mine-1" });
    const second = await create({ name: "mine-2" });
    await t.req(`/api-keys/${mine.key_id}`, send("DELETE", undefined, auth));
    const theirs = await create({ name: "theirs" }, otherAuth);
    const keys = await list();
    const ids = keys.map((k) => k.key_id);
    expect(ids.indexOf(second.key_id)).toBeLessThan(ids.indexOf(mine.key_id));
    expect(ids).not.toContain(theirs.key_id);
    const revoked = keys.find((k) => k.key_id === mine.key_id)!;
    expect(revoked.revoked).toBe(true);
    expect(revoked.revoked_at).not.toBeNull();
    expect(Object.keys(revoked).sort()).toEqual(
      ["created_at", "description", "expires_at", "key_id", "last_rotated", "last_used", "name", "revoked", "revoked_at", "scopes"]);
  });
});

describe("DELETE /api-keys/{key_id}", () => {
  test("revokes (soft): 204, listed as revoked, emits api_key.revoked", async () => {
    const key = await create();
    const response = await t.req(`/api-keys/${key.key_id}`, send("DELETE", undefined, auth));
    expect(response.status).toBe(204);
    expect((await list()).find((k) => k.key_id === key.key_id)?.revoked).toBe(true);
    expect(events.some((e) => e.type === "api_key.revoked" && e.detail?.key_id === key.key_id)).toBe(true);
  });

  test.each([
    ["an unknown key", async () => "ik_00000000000000000000000000000000"],
    ["another user's key", async () => (await create({ name: "x" }, otherAuth)).key_id],
  ])("%s → 404", async (_, keyId) => {
    const response = await t.req(`/api-keys/${await keyId()}`, send("DELETE", undefined, auth));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "API key not found or not owned by user" });
  });
});

describe("POST /api-keys/{key_id}/rotate", () => {
  test("same key id, new secret, last_rotated set, api_key.rotated emitted", async () => {
    const key = await create({ name: "rotating", scopes: ["project:read"] });
    const response = await t.req(`/api-keys/${key.key_id}/rotate`, { method: "POST", headers: auth });
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as Created;
    expect(rotated.key_id).toBe(key.key_id);
    expect(rotated.key_secret).not.toBe(key.key_secret);
    expect(rotated).toMatchObject({ name: "rotating", scopes: ["project:read"], expires_at: key.expires_at });
    expect((await list()).find((k) => k.key_id === key.key_id)?.last_rotated).not.toBeNull();
    expect(events.some((e) => e.type === "api_key.rotated" && e.detail?.key_id === key.key_id)).toBe(true);
  });

  test("a revoked key → 400", async () => {
    const key = await create();
    await t.req(`/api-keys/${key.key_id}`, send("DELETE", undefined, auth));
    const response = await t.req(`/api-keys/${key.key_id}/rotate`, { method: "POST", headers: auth });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Cannot rotate revoked API key" });
  });

  test("another user's key → 404", async () => {
    const theirs = await create({ name: "x" }, otherAuth);
    expect((await t.req(`/api-keys/${theirs.key_id}/rotate`, { method: "POST", headers: auth })).status).toBe(404);
  });
});

describe("authentication and authorization of every route", () => {
  test.each(routes)("%s without credentials → 401 with WWW-Authenticate", async (_, request) => {
    const [path, init] = await request();
    const response = await t.req(path, init);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });

  test.each(routes)("%s with a bad token → 401", async (_, request) => {
    const [path, init] = await request();
    for (const token of ["not-a-token", "ik_00000000000000000000000000000000_wrongwrongwrongwrongwrong"]) {
      const response = await t.req(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...bearer(token) } });
      expect(response.status).toBe(401);
    }
  });

  test.each(routes)("%s as a service account → 403", async (_, request) => {
    const org = await createOrg(t);
    const account = await createServiceAccount(t, { org, role: "admin" });
    const { key } = await createApiKey(t, { serviceAccountId: account.id });
    const [path, init] = await request();
    const response = await t.req(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...bearer(key) } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "This endpoint requires user authentication" });
  });

  test("a client-credentials token is a service account too → 403", async () => {
    const account = await createServiceAccount(t);
    const credential = await createClientCredential(t, account.id);
    const token = await t.req("/auth/token", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: credential.clientId, client_secret: credential.clientSecret }).toString(),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    expect((await t.req("/api-keys", { headers: bearer(access_token) })).status).toBe(403);
  });
});
