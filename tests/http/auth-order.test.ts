/** Authentication and authorization are decided before the body is validated: 401/403 beat 422. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bearer, createOrg, createUser, json, login } from "../helpers/identity.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const malformed = { name: 42, slug: "Not A Slug" };

describe("order of checks", () => {
  test("no credentials and a malformed body → 401", async () => {
    expect((await t.req("/organizations/", json(malformed))).status).toBe(401);
  });

  test("credentials without the permission and a malformed body → 403", async () => {
    const org = await createOrg(t);
    const reader = await createUser(t, { org, role: "readonly" });
    const { access_token } = await login(t, reader);
    expect((await t.req(`/organizations/${org.slug}/teams/`, json(malformed, bearer(access_token)))).status).toBe(403);
  });

  test("with the permission, the malformed body → 422", async () => {
    const org = await createOrg(t);
    const dev = await createUser(t, { org, role: "admin" });
    const { access_token } = await login(t, dev);
    expect((await t.req(`/organizations/${org.slug}/teams/`, json(malformed, bearer(access_token)))).status).toBe(422);
  });
});
