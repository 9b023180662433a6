/** /admin/oauth-providers (ADR 0009) and GET /auth/providers over the same store. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, login, send, unique } from "../../helpers/identity.ts";
import { newId } from "../../../src/lib/ids.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";

let t: TestApp;
let admin: string;
let reader: string;
let developer: string;
const events: DomainEvent[] = [];

/** A user whose only role (in some organization) grants `permissions`. */
async function userWith(permissions: string[]): Promise<string> {
  const org = await createOrg(t);
  const roleId = newId();
  const slug = unique("role-");
  await t.infra.sql`insert into roles (id, slug, name) values (${roleId}, ${slug}, ${slug})`;
  for (const name of permissions) await t.infra.sql`insert into role_permissions (role_id, permission_name) values (${roleId}, ${name})`;
  return (await login(t, await createUser(t, { org, role: slug }))).access_token;
}

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  reader = await userWith(["oauth-providers:read"]);
  developer = (await login(t, await createUser(t, { org: await createOrg(t) }))).access_token;
});
afterAll(() => t.close());

const put = (slug: string, body: unknown, token = admin) => t.req(`/admin/oauth-providers/${slug}`, send("PUT", body, bearer(token)));
const get = (path: string, token = admin) => t.req(path, { headers: bearer(token) });
const OKTA = { type: "oidc", name: "Okta", enabled: true, client_id: "okta-client", client_secret: "okta-secret-value", issuer_url: "https://okta.example.com/" };

describe("PUT /admin/oauth-providers/{slug}", () => {
  test("creates (201), then replaces (200); the secret is write-only and stored Fernet-encrypted", async () => {
    const created = await put("okta", OKTA);
    expect(created.status).toBe(201);
    const text = await created.text();
    expect(text).not.toContain("okta-secret-value");
    expect(JSON.parse(text)).toMatchObject({
      slug: "okta", type: "oidc", name: "Okta", enabled: true, client_id: "okta-client", has_secret: true,
      issuer_url: "https://okta.example.com", allowed_domains: [], icon: "key",
    });
    expect(JSON.parse(text)).not.toContainKey("client_secret");
    expect(JSON.parse(text)).not.toContainKey("client_secret_encrypted");

    const [row] = await t.infra.sql<{ client_secret_encrypted: string }[]>`select client_secret_encrypted from oauth_providers where slug = 'okta'`;
    expect(row!.client_secret_encrypted).not.toContain("okta-secret");
    expect(t.ctx.fernet.decryptText(row!.client_secret_encrypted)).toBe("okta-secret-value");

    // No client_secret in the body: the stored one stays.
    const { client_secret: _omit, ...withoutSecret } = OKTA;
    const replaced = await put("okta", { ...withoutSecret, name: "Okta SSO", allowed_domains: ["Example.COM"] });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ name: "Okta SSO", has_secret: true, allowed_domains: ["example.com"] });
    expect(events.filter((e) => e.type.startsWith("oauth_provider.")).map((e) => [e.type, e.detail?.secret_changed])).toEqual([
      ["oauth_provider.created", true], ["oauth_provider.updated", false],
    ]);
  });

  test("client_secret null or \"\" removes the secret (an enabled OIDC client may be public)", async () => {
    await put("public-oidc", { ...OKTA, name: "Public" });
    for (const value of [null, ""]) {
      const response = await put("public-oidc", { ...OKTA, name: "Public", client_secret: value });
      expect(response.status).toBe(200);
      expect(((await response.json()) as Record<string, unknown>).has_secret).toBe(false);
    }
  });

  test("several OIDC providers live side by side under their own slugs", async () => {
    expect((await put("auth0", { ...OKTA, name: "Auth0", issuer_url: "https://tenant.auth0.example" })).status).toBe(201);
    const list = (await (await get("/admin/oauth-providers")).json()) as { slug: string; type: string }[];
    expect(list.filter((p) => p.type === "oidc").map((p) => p.slug)).toEqual(expect.arrayContaining(["auth0", "okta"]));
    expect(list.map((p) => p.slug)).toEqual([...list.map((p) => p.slug)].sort());
  });

  test("the type of a slug cannot change → 409", async () => {
    const response = await put("okta", { type: "github", name: "Okta" });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toContain("delete it");
  });

  test.each([
    ["uppercase slug", "Okta", OKTA],
    ["one-letter slug", "o", OKTA],
    ["unknown type", "saml", { ...OKTA, type: "saml" }],
    ["missing name", "x-missing", { type: "github" }],
    ["empty name", "x-empty", { type: "github", name: "" }],
    ["enabled not a boolean", "x-bool", { type: "github", name: "GH", enabled: "yes" }],
    ["issuer_url not https", "x-ftp", { ...OKTA, issuer_url: "ftp://okta.example.com" }],
    ["issuer_url plain http off loopback", "x-http", { ...OKTA, issuer_url: "http://okta.example.com" }],
    ["issuer_url with a query", "x-query", { ...OKTA, issuer_url: "https://okta.example.com/?a=b" }],
    ["issuer_url not a URL", "x-url", { ...OKTA, issuer_url: "okta" }],
    ["oidc without issuer_url", "x-issuer", { type: "oidc", name: "OIDC" }],
    ["enabled without client_id", "x-client", { type: "github", name: "GH", enabled: true, client_secret: "s" }],
    ["enabled google without a secret", "x-secret", { type: "google", name: "Google", enabled: true, client_id: "c" }],
    ["a malformed allowed domain", "x-domain", { type: "google", name: "Google", allowed_domains: ["not a domain"] }],
    ["allowed_domains not a list", "x-domains", { type: "google", name: "Google", allowed_domains: "example.com" }],
    ["unknown icon", "x-icon", { type: "github", name: "GH", icon: "saml" }],
    ["a body that is not an object", "x-array", []],
  ])("%s → 422 in the D2 shape", async (_case, slug, body) => {
    const response = await put(slug, body);
    expect(response.status).toBe(422);
    const detail = ((await response.json()) as Record<string, unknown>).detail as { loc: unknown[]; msg: string }[];
    expect(detail).toBeArray();
    expect(detail.length).toBeGreaterThan(0);
    expect((await get(`/admin/oauth-providers/${slug}`)).status).toBeOneOf([404, 422]);
  });

  test("fields outside the write model are dropped: the ciphertext column cannot be written", async () => {
    const response = await put("x-extra", { type: "github", name: "GH", client_secret_encrypted: "x", has_secret: true });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Record<string, unknown>).has_secret).toBe(false);
  });

  test("401 without credentials, 403 with read only or no permission (before the body is looked at)", async () => {
    expect((await t.req("/admin/oauth-providers/okta", send("PUT", OKTA))).status).toBe(401);
    expect((await put("okta", OKTA, reader)).status).toBe(403);
    expect((await put("okta", { nonsense: true }, developer)).status).toBe(403);
  });
});

describe("GET /admin/oauth-providers[/{slug}]", () => {
  test("the read model: has_secret, never the secret", async () => {
    await put("gh", { type: "github", name: "GitHub", enabled: true, client_id: "gh-id", client_secret: "gh-very-secret" });
    for (const path of ["/admin/oauth-providers", "/admin/oauth-providers/gh"]) {
      const response = await get(path, reader);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain("gh-very-secret");
      expect(text).not.toContain("client_secret");
    }
    expect(await (await get("/admin/oauth-providers/gh")).json()).toMatchObject({ slug: "gh", has_secret: true, icon: "github", issuer_url: null });
  });

  test("404 for an unknown slug, 422 for a malformed one, 401/403", async () => {
    expect((await get("/admin/oauth-providers/nope")).status).toBe(404);
    expect((await get("/admin/oauth-providers/NOPE")).status).toBe(422);
    expect((await t.req("/admin/oauth-providers")).status).toBe(401);
    expect((await get("/admin/oauth-providers", developer)).status).toBe(403);
    expect((await get("/admin/oauth-providers/gh", developer)).status).toBe(403);
  });
});

describe("DELETE /admin/oauth-providers/{slug}", () => {
  test("204, then 404; needs oauth-providers:write", async () => {
    await put("doomed", { type: "github", name: "Doomed" });
    expect((await t.req("/admin/oauth-providers/doomed", send("DELETE", undefined, bearer(reader)))).status).toBe(403);
    expect((await t.req("/admin/oauth-providers/doomed", send("DELETE"))).status).toBe(401);
    expect((await t.req("/admin/oauth-providers/doomed", send("DELETE", undefined, bearer(admin)))).status).toBe(204);
    expect((await get("/admin/oauth-providers/doomed")).status).toBe(404);
    expect((await t.req("/admin/oauth-providers/doomed", send("DELETE", undefined, bearer(admin)))).status).toBe(404);
    expect(events.some((e) => e.type === "oauth_provider.deleted" && e.detail?.slug === "doomed" && e.actor_type === "user")).toBe(true);
  });
});

describe("GET /auth/providers", () => {
  test("local password first, then the enabled providers by slug, in the reference's shape; writes show at once", async () => {
    await put("zz-google", { type: "google", name: "Google", enabled: true, client_id: "g", client_secret: "s" });
    await put("aa-off", { type: "github", name: "Off", enabled: false });
    const listed = async () => (await (await t.req("/auth/providers")).json()) as { providers: Record<string, unknown>[]; default_redirect: string };
    const body = await listed();
    expect(body.default_redirect).toBe("/dashboard");
    expect(body.providers[0]).toEqual({ id: "local", type: "password", name: "Email/Password", enabled: true, auth_url: null, icon: "lock" });
    const oauth = body.providers.slice(1);
    expect(oauth.map((p) => p.id)).toEqual([...oauth.map((p) => p.id as string)].sort());
    expect(oauth.map((p) => p.id)).not.toContain("aa-off");
    expect(oauth.find((p) => p.id === "zz-google")).toEqual({ id: "zz-google", type: "oauth", name: "Google", enabled: true, auth_url: "/auth/oauth/zz-google", icon: "google" });

    // The 30 s cache is invalidated by the write, not waited out.
    await put("zz-google", { type: "google", name: "Google", enabled: false, client_id: "g" });
    expect((await listed()).providers.map((p) => p.id)).not.toContain("zz-google");
    await put("aa-off", { type: "github", name: "Now On", enabled: true, client_id: "c", client_secret: "s" });
    expect((await listed()).providers.find((p) => p.id === "aa-off")?.name).toBe("Now On");
  });
});
