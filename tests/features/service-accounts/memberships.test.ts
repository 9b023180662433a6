/** POST /service-accounts/{slug}/organizations, PATCH|DELETE /service-accounts/{slug}/organizations/{org_slug}. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bearer, createApiKey, createOrg, createServiceAccount, json, send } from "../../helpers/identity.ts";
import { BAD_TOKENS, startCast, withHeaders, type Cast } from "./fixtures.ts";

let c: Cast;
beforeAll(async () => { c = await startCast(); });
afterAll(() => c.t.close());

type Account = { organizations: { organization_slug: string; role: string }[] };
const organizationsOf = async (slug: string) =>
  ((await (await c.t.req(`/service-accounts/${slug}`, { headers: c.superuser })).json()) as Account).organizations;

describe("POST /service-accounts/{slug}/organizations", () => {
  test("adds a membership → 204; posting again changes the role (upsert)", async () => {
    const account = await createServiceAccount(c.t);
    expect((await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: c.orgA.slug, role_slug: "readonly" }, c.adminA))).status).toBe(204);
    expect(await organizationsOf(account.slug)).toEqual([expect.objectContaining({ organization_slug: c.orgA.slug, role: "readonly" })]);
    expect((await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: c.orgA.slug, role_slug: "developer" }, c.adminA))).status).toBe(204);
    expect(await organizationsOf(account.slug)).toEqual([expect.objectContaining({ organization_slug: c.orgA.slug, role: "developer" })]);
    expect(c.events.some((e) => e.type === "service_account.membership_set" && e.detail?.role === "developer")).toBe(true);
  });

  test("the new membership's permissions apply in that organization only", async () => {
    const account = await createServiceAccount(c.t);
    const { key } = await createApiKey(c.t, { serviceAccountId: account.id });
    expect((await c.t.req("/service-accounts", { headers: bearer(key) })).status).toBe(403);
    await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: c.orgA.slug, role_slug: "admin" }, c.adminA));
    expect((await c.t.req("/service-accounts", { headers: bearer(key) })).status).toBe(200);
  });

  test.each([
    ["an unknown account", () => "ghost", () => c.orgA.slug, "developer", "Service account 'ghost' not found"],
    ["an unknown role", () => "", () => c.orgA.slug, "nope", "Role 'nope' not found"],
  ])("%s → 404", async (_, slug, org, role, detail) => {
    const target = slug() || (await createServiceAccount(c.t, { org: c.orgA })).slug;
    const response = await c.t.req(`/service-accounts/${target}/organizations`, json({ organization_slug: org(), role_slug: role }, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail });
  });

  test("an unknown organization → 404 for is_admin", async () => {
    const account = await createServiceAccount(c.t);
    const response = await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: "nowhere", role_slug: "developer" }, c.superuser));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Organization 'nowhere' not found" });
  });

  test.each([
    ["a member without service_account:update", () => c.developerA],
    ["an admin of another organization", () => c.adminB],
  ])("%s adding to organization A → 403", async (_, headers) => {
    const account = await createServiceAccount(c.t);
    const response = await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: c.orgA.slug, role_slug: "admin" }, headers()));
    expect(response.status).toBe(403);
    expect(await organizationsOf(account.slug)).toEqual([]);
  });

  test("an admin of B cannot pull A's account into B (it would gain A's permissions through B) → 404", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "admin" });
    const response = await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: c.orgB.slug, role_slug: "admin" }, c.adminB));
    expect(response.status).toBe(404);
    expect(await organizationsOf(account.slug)).toHaveLength(1);
  });

  test("an admin of both organizations can", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    const response = await c.t.req(`/service-accounts/${account.slug}/organizations`, json({ organization_slug: c.orgB.slug, role_slug: "readonly" }, c.superuser));
    expect(response.status).toBe(204);
  });

  test.each([
    ["organization_slug missing", { role_slug: "admin" }],
    ["role_slug missing", { organization_slug: "x" }],
    ["organization_slug empty", { organization_slug: "", role_slug: "admin" }],
    ["role_slug not a string", { organization_slug: "x", role_slug: 3 }],
  ])("%s → 422", async (_, body) => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await c.t.req(`/service-accounts/${account.slug}/organizations`, json(body, c.adminA))).status).toBe(422);
  });
});

describe("PATCH /service-accounts/{slug}/organizations/{org_slug}", () => {
  const patch = (slug: string, org: string, operations: unknown, headers = c.adminA) =>
    c.t.req(`/service-accounts/${slug}/organizations/${org}`, send("PATCH", operations, headers));

  test("replaces the role → 204", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "readonly" });
    expect((await patch(account.slug, c.orgA.slug, [{ op: "replace", path: "/role_slug", value: "developer" }])).status).toBe(204);
    expect(await organizationsOf(account.slug)).toEqual([expect.objectContaining({ role: "developer" })]);
  });

  test("a test op on the current role guards the change", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "readonly" });
    const guarded = [{ op: "test", path: "/role_slug", value: "admin" }, { op: "replace", path: "/role_slug", value: "developer" }];
    expect((await patch(account.slug, c.orgA.slug, guarded)).status).toBe(422);
    expect(await organizationsOf(account.slug)).toEqual([expect.objectContaining({ role: "readonly" })]);
  });

  test.each([
    ["a non-member organization", async () => ({ org: (await createOrg(c.t)).slug, role: "developer", headers: c.superuser })],
    ["an unknown role", async () => ({ org: c.orgA.slug, role: "nope", headers: c.adminA })],
  ])("%s → 404", async (_, setup) => {
    const { org, role, headers } = await setup();
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await patch(account.slug, org, [{ op: "replace", path: "/role_slug", value: role }], headers)).status).toBe(404);
  });

  test.each([
    ["another path", [{ op: "replace", path: "/organization_slug", value: "x" }]],
    ["the root", [{ op: "replace", path: "", value: {} }]],
    ["replace without a value", [{ op: "replace", path: "/role_slug" }]],
  ])("%s → 400", async (_, operations) => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await patch(account.slug, c.orgA.slug, operations)).status).toBe(400);
  });

  test.each([
    ["an empty role", [{ op: "replace", path: "/role_slug", value: "" }]],
    ["a non-string role", [{ op: "replace", path: "/role_slug", value: 7 }]],
    ["removing the role", [{ op: "remove", path: "/role_slug" }]],
    ["a body that is not an array", { role_slug: "admin" }],
  ])("%s → 422", async (_, operations) => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await patch(account.slug, c.orgA.slug, operations)).status).toBe(422);
  });

  test.each([
    ["a member without service_account:update", () => c.developerA],
    ["an admin of another organization", () => c.adminB],
  ])("%s → 403", async (_, headers) => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "readonly" });
    expect((await patch(account.slug, c.orgA.slug, [{ op: "replace", path: "/role_slug", value: "admin" }], headers())).status).toBe(403);
  });
});

describe("DELETE /service-accounts/{slug}/organizations/{org_slug}", () => {
  test("removes the membership → 204", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await c.t.req(`/service-accounts/${account.slug}/organizations/${c.orgA.slug}`, send("DELETE", undefined, c.adminA))).status).toBe(204);
    expect(await organizationsOf(account.slug)).toEqual([]);
    expect(c.events.some((e) => e.type === "service_account.membership_removed")).toBe(true);
  });

  test("not a member → 404", async () => {
    const account = await createServiceAccount(c.t);
    const response = await c.t.req(`/service-accounts/${account.slug}/organizations/${c.orgA.slug}`, send("DELETE", undefined, c.adminA));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: `Service account '${account.slug}' is not a member of organization '${c.orgA.slug}'` });
  });

  test("unknown account → 404", async () => {
    expect((await c.t.req(`/service-accounts/ghost/organizations/${c.orgA.slug}`, send("DELETE", undefined, c.adminA))).status).toBe(404);
  });

  test.each([
    ["a member without service_account:update", () => c.developerA],
    ["an admin of another organization", () => c.adminB],
  ])("%s → 403 and the membership stays", async (_, headers) => {
    const account = await createServiceAccount(c.t, { org: c.orgA });
    expect((await c.t.req(`/service-accounts/${account.slug}/organizations/${c.orgA.slug}`, send("DELETE", undefined, headers()))).status).toBe(403);
    expect(await organizationsOf(account.slug)).toHaveLength(1);
  });
});

describe("authentication of every membership route", () => {
  const routes: [string, () => Promise<[string, RequestInit]>][] = [
    ["POST", async () => [`/service-accounts/${(await createServiceAccount(c.t)).slug}/organizations`, json({ organization_slug: c.orgA.slug, role_slug: "readonly" })]],
    ["PATCH", async () => [`/service-accounts/${(await createServiceAccount(c.t, { org: c.orgA })).slug}/organizations/${c.orgA.slug}`, send("PATCH", [])]],
    ["DELETE", async () => [`/service-accounts/${(await createServiceAccount(c.t, { org: c.orgA })).slug}/organizations/${c.orgA.slug}`, send("DELETE")]],
  ];
  test.each(routes)("%s without credentials → 401", async (_, request) => {
    const [path, init] = await request();
    expect((await c.t.req(path, init)).status).toBe(401);
  });
  test.each(routes)("%s with a bad token → 401", async (_, request) => {
    const [path, init] = await request();
    for (const token of BAD_TOKENS) expect((await c.t.req(path, withHeaders(init, bearer(token)))).status).toBe(401);
  });
});
