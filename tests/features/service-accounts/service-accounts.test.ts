/** POST /service-accounts, GET /service-accounts, GET|DELETE /service-accounts/{slug}. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApiKey, createClientCredential, createServiceAccount, bearer, json, send, unique } from "../../helpers/identity.ts";
import { BAD_TOKENS, startCast, withHeaders, type Cast } from "./fixtures.ts";

let c: Cast;
beforeAll(async () => { c = await startCast(); });
afterAll(() => c.t.close());

const body = (overrides: Record<string, unknown> = {}) => ({
  slug: unique("bot-"), display_name: "Deploy Bot", organization_slug: c.orgA.slug, role_slug: "developer", ...overrides,
});
type Account = { slug: string; is_active: boolean; organizations: { organization_slug: string; organization_name: string; role: string }[] } & Record<string, unknown>;

describe("POST /service-accounts", () => {
  test("creates the account with its first membership → 201", async () => {
    const request = body({ description: "Deploys things", avatar_url: "https://example.com/bot.png" });
    const response = await c.t.req("/service-accounts", json(request, c.adminA));
    expect(response.status).toBe(201);
    const account = (await response.json()) as Account;
    expect(account).toMatchObject({
      slug: request.slug, display_name: "Deploy Bot", description: "Deploys things", is_active: true,
      avatar_url: "https://example.com/bot.png", last_authenticated: null,
      organizations: [{ organization_slug: c.orgA.slug, organization_name: c.orgA.slug.toUpperCase(), role: "developer" }],
    });
    expect(typeof account.created_at).toBe("string");
    expect(c.events.some((e) => e.type === "service_account.created" && e.detail?.service_account === request.slug)).toBe(true);
  });

  test("is_active=false is kept", async () => {
    const response = await c.t.req("/service-accounts", json(body({ is_active: false }), c.adminA));
    expect(((await response.json()) as Account).is_active).toBe(false);
  });

  test("a taken slug → 409 naming it", async () => {
    const request = body();
    expect((await c.t.req("/service-accounts", json(request, c.adminA))).status).toBe(201);
    const response = await c.t.req("/service-accounts", json(request, c.adminA));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ detail: `Service account with slug '${request.slug}' already exists` });
  });

  test("an unknown role → 404 and no account is left behind", async () => {
    const request = body({ role_slug: "no-such-role" });
    const response = await c.t.req("/service-accounts", json(request, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: `Organization '${c.orgA.slug}' or role 'no-such-role' not found` });
    expect((await c.t.req(`/service-accounts/${request.slug}`, { headers: c.adminA })).status).toBe(404);
  });

  test("an unknown organization → 404 for is_admin, 403 for an organization admin", async () => {
    expect((await c.t.req("/service-accounts", json(body({ organization_slug: "no-such-org" }), c.superuser))).status).toBe(404);
    expect((await c.t.req("/service-accounts", json(body({ organization_slug: "no-such-org" }), c.adminA))).status).toBe(403);
  });

  test("is_admin may create in any organization", async () => {
    expect((await c.t.req("/service-accounts", json(body({ organization_slug: c.orgB.slug }), c.superuser))).status).toBe(201);
  });

  test.each([
    ["a member without service_account:create", () => c.developerA],
    ["an admin of another organization", () => c.adminB],
  ])("%s → 403", async (_, headers) => {
    const response = await c.t.req("/service-accounts", json(body(), headers()));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "Permission denied: service_account:create required" });
  });

  test("the denial is audited, with the request it came from", async () => {
    await c.t.req("/service-accounts", json(body(), { ...c.adminB, "user-agent": "audit-probe/1.0" }));
    const denied = c.events.find((e) => e.type === "permission.denied" && e.detail?.organization === c.orgA.slug && e.user_agent === "audit-probe/1.0");
    expect(denied?.request_id).toBeString();
  });

  test.each([
    ["slug missing", { slug: undefined }],
    ["slug too short", { slug: "a" }],
    ["slug too long", { slug: `a${"b".repeat(64)}` }],
    ["slug starting with a digit", { slug: "1bot" }],
    ["slug with uppercase", { slug: "Bot" }],
    ["slug with an underscore", { slug: "my_bot" }],
    ["slug not a string", { slug: 12 }],
    ["display_name missing", { display_name: undefined }],
    ["display_name empty", { display_name: "" }],
    ["display_name too long", { display_name: "x".repeat(129) }],
    ["description not a string", { description: 5 }],
    ["is_active not a boolean", { is_active: 5 }],
    ["avatar_url not a URL", { avatar_url: "not a url" }],
    ["organization_slug missing", { organization_slug: undefined }],
    ["organization_slug empty", { organization_slug: "" }],
    ["role_slug missing", { role_slug: undefined }],
    ["role_slug not a string", { role_slug: ["admin"] }],
  ])("%s → 422", async (_, overrides) => {
    const response = await c.t.req("/service-accounts", json(body(overrides), c.adminA));
    expect(response.status).toBe(422);
    expect(Array.isArray(((await response.json()) as { detail: unknown }).detail)).toBe(true);
  });

  test("malformed JSON → 400", async () => {
    const response = await c.t.req("/service-accounts", { method: "POST", body: "{", headers: { "content-type": "application/json", ...c.adminA } });
    expect(response.status).toBe(400);
  });
});

describe("GET /service-accounts", () => {
  test("lists accounts ordered by slug, with memberships; ?is_active filters", async () => {
    const active = await createServiceAccount(c.t, { slug: unique("list-b-"), org: c.orgA });
    const inactive = await createServiceAccount(c.t, { slug: unique("list-a-"), isActive: false });
    const all = (await (await c.t.req("/service-accounts", { headers: c.adminA })).json()) as Account[];
    const slugs = all.map((a) => a.slug);
    expect(slugs).toEqual([...slugs].sort());
    expect(slugs).toEqual(expect.arrayContaining([active.slug, inactive.slug]));
    expect(all.find((a) => a.slug === active.slug)?.organizations).toEqual([
      { organization_slug: c.orgA.slug, organization_name: c.orgA.slug.toUpperCase(), role: "developer" }]);
    const onlyInactive = (await (await c.t.req("/service-accounts?is_active=false", { headers: c.adminA })).json()) as Account[];
    expect(onlyInactive.map((a) => a.slug)).toContain(inactive.slug);
    expect(onlyInactive.every((a) => !a.is_active)).toBe(true);
  });

  test("an admin of another organization sees only accounts of their organizations and unattached ones", async () => {
    const inA = await createServiceAccount(c.t, { org: c.orgA });
    const inB = await createServiceAccount(c.t, { org: c.orgB });
    const loose = await createServiceAccount(c.t);
    const slugs = ((await (await c.t.req("/service-accounts", { headers: c.adminB })).json()) as Account[]).map((a) => a.slug);
    expect(slugs).toEqual(expect.arrayContaining([inB.slug, loose.slug]));
    expect(slugs).not.toContain(inA.slug);
    const all = ((await (await c.t.req("/service-accounts", { headers: c.superuser })).json()) as Account[]).map((a) => a.slug);
    expect(all).toEqual(expect.arrayContaining([inA.slug, inB.slug, loose.slug]));
  });

  test("?is_active=maybe → 422", async () => {
    expect((await c.t.req("/service-accounts?is_active=maybe", { headers: c.adminA })).status).toBe(422);
  });

  test("without service_account:read → 403", async () => {
    expect((await c.t.req("/service-accounts", { headers: c.developerA })).status).toBe(403);
  });
});

describe("GET /service-accounts/{slug}", () => {
  test("returns the account with its organizations", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "readonly" });
    const response = await c.t.req(`/service-accounts/${account.slug}`, { headers: c.adminA });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ slug: account.slug, organizations: [{ organization_slug: c.orgA.slug, role: "readonly" }] });
  });

  test("unknown → 404", async () => {
    const response = await c.t.req("/service-accounts/ghost", { headers: c.adminA });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Service account 'ghost' not found" });
  });

  test("without service_account:read → 403", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await c.t.req(`/service-accounts/${account.slug}`, { headers: c.developerA })).status).toBe(403);
  });

  test("an account of another organization → 404, as if absent", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    const response = await c.t.req(`/service-accounts/${account.slug}`, { headers: c.adminB });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: `Service account '${account.slug}' not found` });
  });
});

describe("DELETE /service-accounts/{slug}", () => {
  test("deletes the account with its keys and credentials → 204", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "admin" });
    const { key } = await createApiKey(c.t, { serviceAccountId: account.id });
    await createClientCredential(c.t, account.id);
    expect((await c.t.req("/service-accounts", { headers: bearer(key) })).status).toBe(200);
    const response = await c.t.req(`/service-accounts/${account.slug}`, send("DELETE", undefined, c.adminA));
    expect(response.status).toBe(204);
    expect((await c.t.req(`/service-accounts/${account.slug}`, { headers: c.adminA })).status).toBe(404);
    const [counts] = await c.t.infra.sql<{ keys: number; credentials: number }[]>`
      select (select count(*)::int from api_keys where service_account_id = ${account.id}) as keys,
             (select count(*)::int from client_credentials where service_account_id = ${account.id}) as credentials`;
    expect(counts).toEqual({ keys: 0, credentials: 0 });
    expect((await c.t.req("/service-accounts", { headers: bearer(key) })).status).toBe(401);
    expect(c.events.some((e) => e.type === "service_account.deleted" && e.detail?.service_account === account.slug)).toBe(true);
  });

  test("unknown → 404", async () => {
    expect((await c.t.req("/service-accounts/ghost", send("DELETE", undefined, c.adminA))).status).toBe(404);
  });

  test.each([
    ["a member without service_account:delete", () => c.developerA, 403],
    ["an admin of another organization (the account is not theirs to see)", () => c.adminB, 404],
  ])("%s → %d and the account stays", async (_, headers, status) => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    const response = await c.t.req(`/service-accounts/${account.slug}`, send("DELETE", undefined, headers()));
    expect(response.status).toBe(status);
    expect((await c.t.req(`/service-accounts/${account.slug}`, { headers: c.adminA })).status).toBe(200);
  });

  test("is_admin may delete any account", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgB });
    expect((await c.t.req(`/service-accounts/${account.slug}`, send("DELETE", undefined, c.superuser))).status).toBe(204);
  });
});

describe("authentication of every route", () => {
  const routes: [string, () => Promise<[string, RequestInit]>][] = [
    ["POST /service-accounts", async () => ["/service-accounts", json(body())]],
    ["GET /service-accounts", async () => ["/service-accounts", {}]],
    ["GET /service-accounts/{slug}", async () => [`/service-accounts/${(await createServiceAccount(c.t)).slug}`, {}]],
    ["PATCH /service-accounts/{slug}", async () => [`/service-accounts/${(await createServiceAccount(c.t)).slug}`, send("PATCH", [])]],
    ["DELETE /service-accounts/{slug}", async () => [`/service-accounts/${(await createServiceAccount(c.t)).slug}`, send("DELETE")]],
  ];

  test.each(routes)("%s without credentials → 401", async (_, request) => {
    const [path, init] = await request();
    const response = await c.t.req(path, init);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });

  test.each(routes)("%s with a bad token → 401", async (_, request) => {
    const [path, init] = await request();
    for (const token of BAD_TOKENS) expect((await c.t.req(path, withHeaders(init, bearer(token)))).status).toBe(401);
  });
});
