/** /service-accounts/{slug}/client-credentials: GET, POST, DELETE /{client_id}, POST /{client_id}/rotate. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bearer, createServiceAccount, json, send } from "../../helpers/identity.ts";
import { hashSecret } from "../../../src/lib/secrets.ts";
import { BAD_TOKENS, startCast, withHeaders, type Cast } from "./fixtures.ts";

let c: Cast;
beforeAll(async () => { c = await startCast(); });
afterAll(() => c.t.close());

type Created = { client_id: string; client_secret: string; name: string; description: string | null; scopes: string[]; expires_at: string };
const base = (slug: string) => `/service-accounts/${slug}/client-credentials`;
const account = () => createServiceAccount(c.t, { org: c.orgA, role: "admin" });

async function create(slug: string, body: Record<string, unknown> = { name: "scheduler" }): Promise<Created> {
  const response = await c.t.req(base(slug), json(body, c.adminA));
  expect(response.status).toBe(201);
  return (await response.json()) as Created;
}

const grant = (clientId: string, clientSecret: string) => c.t.req("/auth/token", {
  method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }).toString(),
});

describe("POST /service-accounts/{slug}/client-credentials", () => {
  test("returns the secret once; only its SHA-256 is stored", async () => {
    const sa = await account();
    const credential = await create(sa.slug, { name: "scheduler", description: "cron", scopes: ["project:read"], expires_in_days: 10 });
    expect(credential.client_id).toMatch(/^cc_[A-Za-z0-9_-]{22}$/);
    expect(credential).toMatchObject({ name: "scheduler", description: "cron", scopes: ["project:read"] });
    expect(credential.client_secret.length).toBeGreaterThanOrEqual(43);
    const [row] = await c.t.infra.sql<{ secret_hash: string; service_account_id: string }[]>`
      select secret_hash, service_account_id from client_credentials where client_id = ${credential.client_id}`;
    expect(row).toEqual({ secret_hash: hashSecret(credential.client_secret), service_account_id: sa.id });
    const days = (Date.parse(credential.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9.9);
    expect(days).toBeLessThanOrEqual(10);
    expect(c.events.some((e) => e.type === "client_credential.created" && e.detail?.client_id === credential.client_id)).toBe(true);
    expect((await grant(credential.client_id, credential.client_secret)).status).toBe(200);
  });

  test("omitted expires_in_days = the maximum lifetime", async () => {
    const credential = await create((await account()).slug);
    const days = (Date.parse(credential.expires_at) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(365);
  });

  test.each([
    ["unknown scopes", { name: "k", scopes: ["project:read", "x:y"] }, "Unknown scope(s): x:y. Scopes must match seeded Permission names."],
    ["a lifetime over the maximum", { name: "k", expires_in_days: 1000 }, "Expiration exceeds maximum allowed lifetime of 365 days"],
  ])("%s → 400", async (_, body, detail) => {
    const response = await c.t.req(base((await account()).slug), json(body, c.adminA));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail });
  });

  test.each([
    ["name missing", {}], ["name empty", { name: "" }], ["name too long", { name: "n".repeat(129) }],
    ["description not a string", { name: "k", description: [] }], ["scope not a string", { name: "k", scopes: [null] }],
    ["expires_in_days negative", { name: "k", expires_in_days: -1 }], ["expires_in_days a word", { name: "k", expires_in_days: "soon" }],
  ])("%s → 422", async (_, body) => {
    expect((await c.t.req(base((await account()).slug), json(body, c.adminA))).status).toBe(422);
  });

  test("unknown account → 404", async () => {
    const response = await c.t.req(base("ghost"), json({ name: "k" }, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Service account not found" });
  });
});

describe("GET /service-accounts/{slug}/client-credentials", () => {
  test("lists the account's credentials newest first, never a secret", async () => {
    const sa = await account();
    const first = await create(sa.slug, { name: "a" });
    const second = await create(sa.slug, { name: "b" });
    const response = await c.t.req(base(sa.slug), { headers: c.adminA });
    expect(response.status).toBe(200);
    const listed = (await response.json()) as Record<string, unknown>[];
    expect(listed.map((x) => x.client_id)).toEqual([second.client_id, first.client_id]);
    expect(Object.keys(listed[0]!).sort()).toEqual(
      ["client_id", "created_at", "description", "expires_at", "last_rotated", "last_used", "name", "revoked", "revoked_at", "scopes"]);
    expect(JSON.stringify(listed)).not.toContain(first.client_secret);
  });

  test("last_used is stamped by the token endpoint", async () => {
    const sa = await account();
    const credential = await create(sa.slug);
    await grant(credential.client_id, credential.client_secret);
    const listed = (await (await c.t.req(base(sa.slug), { headers: c.adminA })).json()) as { last_used: string | null }[];
    expect(listed[0]!.last_used).not.toBeNull();
  });

  test("unknown account → 404", async () => {
    expect((await c.t.req(base("ghost"), { headers: c.adminA })).status).toBe(404);
  });
});

describe("DELETE /service-accounts/{slug}/client-credentials/{client_id}", () => {
  test("revokes → 204; the credential can no longer get tokens", async () => {
    const sa = await account();
    const credential = await create(sa.slug);
    expect((await c.t.req(`${base(sa.slug)}/${credential.client_id}`, send("DELETE", undefined, c.adminA))).status).toBe(204);
    const listed = (await (await c.t.req(base(sa.slug), { headers: c.adminA })).json()) as { revoked: boolean; revoked_at: string | null }[];
    expect(listed[0]).toMatchObject({ revoked: true });
    expect(listed[0]!.revoked_at).not.toBeNull();
    expect((await grant(credential.client_id, credential.client_secret)).status).toBe(400);
    expect(c.events.some((e) => e.type === "client_credential.revoked" && e.detail?.client_id === credential.client_id)).toBe(true);
  });

  test("another account's credential → 404", async () => {
    const sa = await account();
    const credential = await create((await account()).slug);
    const response = await c.t.req(`${base(sa.slug)}/${credential.client_id}`, send("DELETE", undefined, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Client credential not found or not owned by this service account" });
  });
});

describe("POST /service-accounts/{slug}/client-credentials/{client_id}/rotate", () => {
  test("new secret for the same client id; the old secret fails", async () => {
    const sa = await account();
    const credential = await create(sa.slug, { name: "r", scopes: ["project:read"] });
    const response = await c.t.req(`${base(sa.slug)}/${credential.client_id}/rotate`, { method: "POST", headers: c.adminA });
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as Created;
    expect(rotated).toMatchObject({ client_id: credential.client_id, scopes: ["project:read"], expires_at: credential.expires_at });
    expect(rotated.client_secret).not.toBe(credential.client_secret);
    expect((await grant(credential.client_id, credential.client_secret)).status).toBe(400);
    expect((await grant(credential.client_id, rotated.client_secret)).status).toBe(200);
    expect(c.events.some((e) => e.type === "client_credential.rotated" && e.detail?.client_id === credential.client_id)).toBe(true);
  });

  test("a revoked credential → 400", async () => {
    const sa = await account();
    const credential = await create(sa.slug);
    await c.t.req(`${base(sa.slug)}/${credential.client_id}`, send("DELETE", undefined, c.adminA));
    const response = await c.t.req(`${base(sa.slug)}/${credential.client_id}/rotate`, { method: "POST", headers: c.adminA });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Cannot rotate revoked client credential" });
  });

  test("unknown credential → 404", async () => {
    expect((await c.t.req(`${base((await account()).slug)}/cc_nope/rotate`, { method: "POST", headers: c.adminA })).status).toBe(404);
  });
});

describe("authentication and authorization of every route", () => {
  const routes: [string, () => Promise<[string, RequestInit]>][] = [
    ["GET", async () => [base((await account()).slug), {}]],
    ["POST", async () => [base((await account()).slug), json({ name: "k" })]],
    ["DELETE /{client_id}", async () => { const sa = await account(); return [`${base(sa.slug)}/${(await create(sa.slug)).client_id}`, send("DELETE")]; }],
    ["POST /{client_id}/rotate", async () => { const sa = await account(); return [`${base(sa.slug)}/${(await create(sa.slug)).client_id}/rotate`, { method: "POST" }]; }],
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
