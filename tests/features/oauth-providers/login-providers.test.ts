/** /login-providers/: the SPA's admin screen, a view over the ADR 0009 store. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, send } from "../../helpers/identity.ts";

let t: TestApp;
let admin: string;
let developer: string;
beforeAll(async () => {
  t = await startTestApp();
  admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  developer = (await login(t, await createUser(t, { org: await createOrg(t) }))).access_token;
});
afterAll(() => t.close());

const CREATE = {
  plugin: "oidc", name: "Okta", slug: "okta", description: "ignored",
  options: { issuer_url: "https://okta.example.com", allowed_domains: ["example.com"] },
  credentials: { client_id: " okta-id ", client_secret: "okta-secret-value" },
};

describe("POST /login-providers/", () => {
  test("201 with the Integration-shaped view; disabled until used-as-login; the secret appears only by name", async () => {
    const response = await t.req("/login-providers/", json(CREATE, bearer(admin)));
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(text).not.toContain("okta-secret-value");
    expect(JSON.parse(text)).toMatchObject({
      id: "okta", slug: "okta", name: "Okta", plugin: "oidc", status: "active", used_as_login: false, organization: null,
      options: { issuer_url: "https://okta.example.com", allowed_domains: ["example.com"] },
      credential_fields: ["client_id", "client_secret"], credential_values: { client_id: "okta-id" },
      capabilities: { identity: { enabled: false, options: {} } },
    });
    // The same store: the ADR's admin API sees it.
    expect(await (await t.req("/admin/oauth-providers/okta", { headers: bearer(admin) })).json()).toMatchObject({ type: "oidc", has_secret: true, enabled: false });
  });

  test("an existing slug → 409; malformed → 422; 401; 403", async () => {
    expect((await t.req("/login-providers/", json(CREATE, bearer(admin)))).status).toBe(409);
    for (const body of [{ ...CREATE, slug: "other", plugin: "saml" }, { ...CREATE, slug: "Bad Slug" }, { ...CREATE, slug: "x2", name: "" }, { slug: "x3" },
      { ...CREATE, slug: "x4", options: { issuer_url: "http://okta.example.com" } }]) {
      expect((await t.req("/login-providers/", json(body, bearer(admin)))).status).toBe(422);
    }
    expect((await t.req("/login-providers/", json(CREATE))).status).toBe(401);
    expect((await t.req("/login-providers/", json({ nonsense: 1 }, bearer(developer)))).status).toBe(403);
  });
});

describe("PUT /login-providers/{slug}/used-as-login", () => {
  test("turns the provider on and off for the login page", async () => {
    const on = await t.req("/login-providers/okta/used-as-login", send("PUT", { used_as_login: true }, bearer(admin)));
    expect(on.status).toBe(200);
    expect(((await on.json()) as Record<string, unknown>).used_as_login).toBe(true);
    const listed = async () => ((await (await t.req("/auth/providers")).json()) as { providers: { id: string }[] }).providers.map((p) => p.id);
    expect(await listed()).toContain("okta");
    await t.req("/login-providers/okta/used-as-login", send("PUT", { used_as_login: false }, bearer(admin)));
    expect(await listed()).not.toContain("okta");
  });

  test("a provider without the credentials its flow needs cannot be turned on → 422; unknown → 404; malformed → 422", async () => {
    await t.req("/login-providers/", json({ plugin: "github", name: "GitHub", slug: "gh" }, bearer(admin)));
    expect((await t.req("/login-providers/gh/used-as-login", send("PUT", { used_as_login: true }, bearer(admin)))).status).toBe(422);
    expect((await t.req("/login-providers/nope/used-as-login", send("PUT", { used_as_login: true }, bearer(admin)))).status).toBe(404);
    expect((await t.req("/login-providers/gh/used-as-login", send("PUT", { used_as_login: "yes" }, bearer(admin)))).status).toBe(422);
    expect((await t.req("/login-providers/gh/used-as-login", send("PUT", { used_as_login: true }, bearer(developer)))).status).toBe(403);
  });
});

describe("GET and DELETE /login-providers/{slug}", () => {
  test("list, read, delete (204), then 404", async () => {
    const list = (await (await t.req("/login-providers/", { headers: bearer(admin) })).json()) as { slug: string }[];
    expect(list.map((p) => p.slug)).toEqual(["gh", "okta"]);
    expect((await t.req("/login-providers/gh", { headers: bearer(admin) })).status).toBe(200);
    expect((await t.req("/login-providers/gh", { headers: bearer(developer) })).status).toBe(403);
    expect((await t.req("/login-providers/gh", send("DELETE", undefined, bearer(admin)))).status).toBe(204);
    expect((await t.req("/login-providers/gh", { headers: bearer(admin) })).status).toBe(404);
    expect((await t.req("/login-providers/gh", send("DELETE", undefined, bearer(admin)))).status).toBe(404);
    expect((await t.req("/login-providers/")).status).toBe(401);
  });
});
