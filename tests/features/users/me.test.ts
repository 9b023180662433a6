/** GET /users/me: profile, effective permissions (roles, inheritance, every org; all for is_admin), teams. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { newId } from "../../../src/lib/ids.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createApiKey, createOrg, createServiceAccount, send } from "../../helpers/identity.ts";
import { addMembership, body, caller, createRole, expectUnauthenticated } from "./fixtures.ts";

let t: TestApp;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
beforeAll(async () => {
  t = await startTestApp();
  orgA = await createOrg(t);
  orgB = await createOrg(t);
});
afterAll(() => t.close());

const grantsOf = async (role: string) => (await t.infra.sql<{ name: string }[]>`
  select rp.permission_name as name from role_permissions rp join roles r on r.id = rp.role_id where r.slug = ${role}`).map((r) => r.name);
const me = async (headers: Record<string, string>) => {
  const response = await t.req("/users/me", send("GET", undefined, headers));
  expect(response.status).toBe(200);
  return body<{ email: string; permissions: string[]; teams: unknown[]; organizations: unknown[]; is_admin: boolean }>(response);
};

describe("GET /users/me", () => {
  test("the profile with memberships, sorted effective permissions and teams", async () => {
    const user = await caller(t, { org: orgA, role: "developer" });
    const profile = await me(user.headers);
    expect(profile).toMatchObject({
      email: user.email, is_admin: false, teams: [],
      organizations: [{ organization_name: orgA.slug.toUpperCase(), organization_slug: orgA.slug, role: "developer" }],
    });
    expect(profile.permissions).toEqual((await grantsOf("developer")).sort());
    expect(profile).not.toHaveProperty("password_hash");
  });

  test("teams the user is a member of, with their organization", async () => {
    const user = await caller(t, { org: orgA, role: "developer" });
    const teamId = newId();
    await t.infra.sql`insert into teams (id, organization_id, slug, name) values (${teamId}, ${orgA.id}, 'core', 'Core')`;
    await t.infra.sql`insert into team_members (team_id, user_id) values (${teamId}, ${user.id})`;
    expect((await me(user.headers)).teams).toEqual([{ team_name: "Core", team_slug: "core", organization_slug: orgA.slug }]);
  });

  test("the union over every organization, following role inheritance", async () => {
    const child = await createRole(t, ["admin:events:read"], { parent: "readonly" });
    const user = await caller(t, { org: orgA, role: "developer" });
    await addMembership(t, user.id, orgB.id, child.slug);
    const expected = [...new Set([...(await grantsOf("developer")), ...(await grantsOf("readonly")), "admin:events:read"])].sort();
    expect((await me(user.headers)).permissions).toEqual(expected);
  });

  test("an is_admin user has every permission", async () => {
    const user = await caller(t, { org: orgA, role: "readonly", isAdmin: true });
    const all = (await t.infra.sql<{ name: string }[]>`select name from permissions order by name`).map((r) => r.name);
    const profile = await me(user.headers);
    expect(profile.is_admin).toBe(true);
    expect(profile.permissions).toEqual(all);
  });

  test("a scoped API key narrows the permissions it reports", async () => {
    const user = await caller(t, { org: orgA, role: "developer" });
    const { key } = await createApiKey(t, { userId: user.id }, { scopes: ["project:read", "user:read", "role:delete"] });
    expect((await me(bearer(key))).permissions).toEqual(["project:read", "user:read"]);
  });

  test("a service account → 403", async () => {
    const account = await createServiceAccount(t, { org: orgA, role: "admin" });
    const { key } = await createApiKey(t, { serviceAccountId: account.id });
    const response = await t.req("/users/me", send("GET", undefined, bearer(key)));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "This endpoint requires user authentication" });
  });

  test("401 without or with bad credentials", async () => {
    await expectUnauthenticated(t, "/users/me", "GET");
  });
});
