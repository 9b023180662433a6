/** /service-accounts/{slug}/api-keys: GET, POST, DELETE /{key_id}, POST /{key_id}/rotate. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bearer, createServiceAccount, json, send } from "../../helpers/identity.ts";
import { hashSecret } from "../../../src/lib/secrets.ts";
import { BAD_TOKENS, startCast, withHeaders, type Cast } from "./fixtures.ts";

let c: Cast;
beforeAll(async () => { c = await startCast(); });
afterAll(() => c.t.close());

type Created = { key_id: string; key_secret: string; scopes: string[]; expires_at: string };
const base = (slug: string) => `/service-accounts/${slug}/api-keys`;
/** An account in organization A with the admin role there (holds service_account:read). */
const account = () => createServiceAccount(c.t, { org: c.orgA, role: "admin" });

async function create(slug: string, body: Record<string, unknown> = { name: "k" }): Promise<Created> {
  const response = await c.t.req(base(slug), json(body, c.adminA));
  expect(response.status).toBe(201);
  return (await response.json()) as Created;
}

describe("POST /service-accounts/{slug}/api-keys", () => {
  test("creates a key owned by the account; it authenticates as the account", async () => {
    const sa = await account();
    const key = await create(sa.slug, { name: "gateway", scopes: ["service_account:read"], expires_in_days: 7 });
    expect(key.key_secret).toMatch(/^ik_[0-9a-f]{32}_[A-Za-z0-9_-]+$/);
    const [row] = await c.t.infra.sql<{ service_account_id: string; user_id: string | null; secret_hash: string }[]>`
      select service_account_id, user_id, secret_hash from api_keys where key_id = ${key.key_id}`;
    expect(row).toEqual({ service_account_id: sa.id, user_id: null, secret_hash: hashSecret(key.key_secret.slice(key.key_id.length + 1)) });
    expect((await c.t.req("/service-accounts", { headers: bearer(key.key_secret) })).status).toBe(200);
    expect(c.events.some((e) => e.type === "api_key.created" && e.detail?.key_id === key.key_id && e.detail?.owner_id === sa.id)).toBe(true);
  });

  test("scopes narrow the account's permissions", async () => {
    const sa = await account();
    const key = await create(sa.slug, { name: "narrow", scopes: ["project:read"] });
    expect((await c.t.req("/service-accounts", { headers: bearer(key.key_secret) })).status).toBe(403);
  });

  test.each([
    ["unknown scopes", { name: "k", scopes: ["nope"] }, "Unknown scope(s): nope. Scopes must match seeded Permission names."],
    ["a lifetime over the maximum", { name: "k", expires_in_days: 366 }, "Expiration exceeds maximum allowed lifetime of 365 days"],
  ])("%s → 400", async (_, body, detail) => {
    const sa = await account();
    const response = await c.t.req(base(sa.slug), json(body, c.adminA));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail });
  });

  test.each([
    ["name missing", {}], ["name empty", { name: "" }], ["scopes not a list", { name: "k", scopes: "x" }],
    ["expires_in_days zero", { name: "k", expires_in_days: 0 }], ["expires_in_days fractional", { name: "k", expires_in_days: 2.5 }],
  ])("%s → 422", async (_, body) => {
    const sa = await account();
    expect((await c.t.req(base(sa.slug), json(body, c.adminA))).status).toBe(422);
  });

  test("unknown account → 404", async () => {
    const response = await c.t.req(base("ghost"), json({ name: "k" }, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Service account not found" });
  });
});

describe("GET /service-accounts/{slug}/api-keys", () => {
  test("lists the account's keys only, newest first", async () => {
    const sa = await account();
    const other = await account();
    const first = await create(sa.slug, { name: "first" });
    const second = await create(sa.slug, { name: "second" });
    await create(other.slug);
    const response = await c.t.req(base(sa.slug), { headers: c.adminA });
    expect(response.status).toBe(200);
    const keys = (await response.json()) as { key_id: string }[];
    expect(keys.map((k) => k.key_id)).toEqual([second.key_id, first.key_id]);
    expect(JSON.stringify(keys)).not.toContain(first.key_secret.slice(first.key_id.length + 1));
  });

  test("unknown account → 404", async () => {
    expect((await c.t.req(base("ghost"), { headers: c.adminA })).status).toBe(404);
  });

  test("without service_account:read → 403", async () => {
    const sa = await account();
    expect((await c.t.req(base(sa.slug), { headers: c.developerA })).status).toBe(403);
  });
});

describe("DELETE /service-accounts/{slug}/api-keys/{key_id}", () => {
  test("revokes → 204; the key stops working", async () => {
    const sa = await account();
    const key = await create(sa.slug);
    expect((await c.t.req(`${base(sa.slug)}/${key.key_id}`, send("DELETE", undefined, c.adminA))).status).toBe(204);
    expect((await c.t.req("/service-accounts", { headers: bearer(key.key_secret) })).status).toBe(401);
    expect(c.events.some((e) => e.type === "api_key.revoked" && e.detail?.key_id === key.key_id)).toBe(true);
  });

  test("a key of another account → 404", async () => {
    const sa = await account();
    const key = await create((await account()).slug);
    const response = await c.t.req(`${base(sa.slug)}/${key.key_id}`, send("DELETE", undefined, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "API key not found or not owned by this service account" });
  });
});

describe("POST /service-accounts/{slug}/api-keys/{key_id}/rotate", () => {
  test("new secret for the same id; the old one fails, the new one works", async () => {
    const sa = await account();
    const key = await create(sa.slug);
    const response = await c.t.req(`${base(sa.slug)}/${key.key_id}/rotate`, { method: "POST", headers: c.adminA });
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as Created;
    expect(rotated.key_id).toBe(key.key_id);
    expect((await c.t.req("/service-accounts", { headers: bearer(key.key_secret) })).status).toBe(401);
    expect((await c.t.req("/service-accounts", { headers: bearer(rotated.key_secret) })).status).toBe(200);
    expect(c.events.some((e) => e.type === "api_key.rotated" && e.detail?.key_id === key.key_id)).toBe(true);
  });

  test("a revoked key → 400", async () => {
    const sa = await account();
    const key = await create(sa.slug);
    await c.t.req(`${base(sa.slug)}/${key.key_id}`, send("DELETE", undefined, c.adminA));
    const response = await c.t.req(`${base(sa.slug)}/${key.key_id}/rotate`, { method: "POST", headers: c.adminA });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Cannot rotate revoked API key" });
  });

  test("unknown key → 404", async () => {
    const sa = await account();
    expect((await c.t.req(`${base(sa.slug)}/ik_00000000000000000000000000000000/rotate`, { method: "POST", headers: c.adminA })).status).toBe(404);
  });
});

describe("authentication and authorization of every route", () => {
  const routes: [string, () => Promise<[string, RequestInit]>][] = [
    ["GET", async () => [base((await account()).slug), {}]],
    ["POST", async () => [base((await account()).slug), json({ name: "k" })]],
    ["DELETE /{key_id}", async () => { const sa = await account(); return [`${base(sa.slug)}/${(await create(sa.slug)).key_id}`, send("DELETE")]; }],
    ["POST /{key_id}/rotate", async () => { const sa = await account(); return [`${base(sa.slug)}/${(await create(sa.slug)).key_id}/rotate`, { method: "POST" }]; }],
  ];

  test.each(routes)("%s without credentials → 401", async (_, request) => {
    const [path, init] = await request();
    expect((await c.t.req(path, init)).status).toBe(401);
  });

  test.each(routes)("%s with a bad token → 401", async (_, request) => {
    const [path, init] = await request();
    for (const token of BAD_TOKENS) expect((await c.t.req(path, withHeaders(init, bearer(token)))).status).toBe(401);
  });

  test.each(routes)("%s by a member without service_account permissions → 403", async (_, request) => {
    const [path, init] = await request();
    expect((await c.t.req(path, withHeaders(init, c.developerA))).status).toBe(403);
  });

  test.each(routes)("%s by an admin of another organization → 404 (not theirs to see)", async (_, request) => {
    const [path, init] = await request();
    expect((await c.t.req(path, withHeaders(init, c.adminB))).status).toBe(404);
  });
});
