/** GET /admin/settings: reference data for the admin UI (any authenticated principal, as the reference). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createApiKey, createOrg, createServiceAccount, send } from "../../helpers/identity.ts";
import { body, caller, createRole, expectUnauthenticated } from "../users/fixtures.ts";

let t: TestApp;
let org: { id: string; slug: string };
beforeAll(async () => {
  t = await startTestApp();
  org = await createOrg(t);
});
afterAll(() => t.close());

interface Settings {
  permissions: { name: string; resource_type: string; action: string; description: string | null }[];
  oauth_provider_types: string[];
  auth_methods: string[];
  auth_types: string[];
}

describe("GET /admin/settings", () => {
  test("every permission by name, the provider types and the auth methods", async () => {
    const admin = await caller(t, { org, role: "admin", isAdmin: true });
    const response = await t.req("/admin/settings", send("GET", undefined, admin.headers));
    expect(response.status).toBe(200);
    const settings = await body<Settings>(response);
    const seeded = await t.infra.sql<{ name: string }[]>`select name from permissions order by name`;
    expect(settings.permissions.map((p) => p.name)).toEqual(seeded.map((p) => p.name));
    expect(settings.permissions.find((p) => p.name === "project:configuration:read")).toMatchObject({
      resource_type: "project", action: "configuration:read",
    });
    expect(settings.permissions.map((p) => p.name)).toContain("oauth-providers:write");
    expect(settings.oauth_provider_types).toEqual(["google", "github", "oidc"]);
    expect(settings.auth_methods).toEqual(["jwt", "api_key"]);
    expect(settings.auth_types).toEqual(["oauth", "password"]);
  });

  test("needs no permission: a user without any, and a service account, read it", async () => {
    const powerless = await caller(t, { org, role: (await createRole(t, [])).slug });
    expect((await t.req("/admin/settings", send("GET", undefined, powerless.headers))).status).toBe(200);
    const account = await createServiceAccount(t, { org, role: "readonly" });
    const { key } = await createApiKey(t, { serviceAccountId: account.id });
    expect((await t.req("/admin/settings", send("GET", undefined, bearer(key)))).status).toBe(200);
  });

  test("401 without or with bad credentials", async () => {
    await expectUnauthenticated(t, "/admin/settings", "GET");
  });
});
