/** POST /users/{email}/organizations, PATCH and DELETE /users/{email}/organizations/{org_slug} (D2: per organization). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createOrg, createUser, json, send, type TestUser } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { addMembership, body, caller, expectDenied, expectUnauthenticated, patch, type Caller } from "./fixtures.ts";

let t: TestApp;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
let admin: Caller;
let manager: Caller; // user:update in org A only
let reader: Caller; // no user:update anywhere
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((event) => void events.push(event));
  orgA = await createOrg(t);
  orgB = await createOrg(t);
  admin = await caller(t, { org: orgA, role: "admin", isAdmin: true });
  manager = await caller(t, { org: orgA, role: "admin" });
  reader = await caller(t, { org: orgA, role: "readonly" });
});
afterAll(() => t.close());

const roleIn = async (user: TestUser, org: { id: string }) => (await t.infra.sql<{ slug: string }[]>`
  select r.slug from organization_memberships m join roles r on r.id = m.role_id
  where m.user_id = ${user.id} and m.organization_id = ${org.id}`)[0]?.slug;
const inBoth = async () => {
  const user = await createUser(t, { org: orgA, role: "developer" });
  await addMembership(t, user.id, orgB.id, "developer");
  return user;
};
const setRole = (value: unknown) => [{ op: "replace", path: "/role_slug", value }];

describe("POST /users/{email}/organizations", () => {
  test("adds the membership, and changes its role when it exists", async () => {
    const user = await createUser(t, { org: orgA, role: "developer" });
    const added = await t.req(`/users/${user.email}/organizations`, json({ organization_slug: orgB.slug, role_slug: "readonly" }, admin.headers));
    expect(added.status).toBe(204);
    expect(await roleIn(user, orgB)).toBe("readonly");
    expect((await t.req(`/users/${user.email}/organizations`, json({ organization_slug: orgB.slug, role_slug: "developer" }, admin.headers))).status).toBe(204);
    expect(await roleIn(user, orgB)).toBe("developer");
    expect(events.find((e) => e.type === "user.membership_set" && e.detail?.email === user.email)).toMatchObject({ actor_id: admin.id });
  });

  test("D2: user:update in another organization is not enough", async () => {
    const user = await createUser(t, { org: orgA, role: "developer" });
    const response = await t.req(`/users/${user.email}/organizations`, json({ organization_slug: orgB.slug, role_slug: "admin" }, manager.headers));
    expect(response.status).toBe(403);
    expect(await body(response)).toEqual({ detail: "Permission denied: user:update required" });
    expect(await roleIn(user, orgB)).toBeUndefined();
    const inA = await t.req(`/users/${user.email}/organizations`, json({ organization_slug: orgA.slug, role_slug: "readonly" }, manager.headers));
    expect(inA.status).toBe(204);
  });

  test.each([
    ["ghost@example.com", "ORG", "readonly", "User with email 'ghost@example.com' not found"],
    ["USER", "no-such-org", "readonly", "Organization 'no-such-org' not found"],
    ["USER", "ORG", "no-such-role", "Role 'no-such-role' not found"],
  ])("%s / %s / %s → 404", async (email, orgSlug, role, detail) => {
    const user = await createUser(t);
    const fill = (s: string) => s.replace("USER", user.email).replace("ORG", orgB.slug);
    const response = await t.req(`/users/${fill(email)}/organizations`, json({ organization_slug: fill(orgSlug), role_slug: role }, admin.headers));
    expect(response.status).toBe(404);
    expect(await body(response)).toEqual({ detail: fill(detail) });
  });

  test("401 without or with bad credentials; 403 without user:update", async () => {
    const user = await createUser(t);
    const payload = { organization_slug: orgA.slug, role_slug: "readonly" };
    await expectUnauthenticated(t, `/users/${user.email}/organizations`, "POST", payload);
    await expectDenied(t, `/users/${user.email}/organizations`, "POST", reader.headers, "user:update", payload);
  });

  test.each([
    ["organization_slug", { role_slug: "readonly" }, "missing"],
    ["organization_slug", { organization_slug: "", role_slug: "readonly" }, "string_too_short"],
    ["role_slug", { organization_slug: "x" }, "missing"],
    ["role_slug", { organization_slug: "x", role_slug: 7 }, "string_type"],
  ])("malformed %s (%j) → 422 %s", async (field, payload, type) => {
    const response = await t.req(`/users/${reader.email}/organizations`, json(payload, admin.headers));
    expect(response.status).toBe(422);
    const { detail } = await body<{ detail: { loc: unknown[]; type: string }[] }>(response);
    expect(detail.find((d) => d.loc[1] === field)?.type).toBe(type);
  });
});

describe("PATCH /users/{email}/organizations/{org_slug}", () => {
  test("changes the role", async () => {
    const user = await inBoth();
    const response = await t.req(`/users/${user.email}/organizations/${orgB.slug}`, patch(setRole("readonly"), admin.headers));
    expect(response.status).toBe(204);
    expect(await roleIn(user, orgB)).toBe("readonly");
    const viaAdd = await t.req(`/users/${user.email}/organizations/${orgB.slug}`, patch([{ op: "add", path: "/role_slug", value: "admin" }], admin.headers));
    expect(viaAdd.status).toBe(204);
    expect(await roleIn(user, orgB)).toBe("admin");
  });

  test("D2: only with user:update in that organization", async () => {
    const user = await inBoth();
    await expectDenied(t, `/users/${user.email}/organizations/${orgB.slug}`, "PATCH", manager.headers, "user:update", setRole("admin"));
    expect(await roleIn(user, orgB)).toBe("developer");
    expect((await t.req(`/users/${user.email}/organizations/${orgA.slug}`, patch(setRole("readonly"), manager.headers))).status).toBe(204);
  });

  test.each([
    [[], "Membership patch must contain exactly one operation"],
    [[...setRole("readonly"), ...setRole("admin")], "Membership patch must contain exactly one operation"],
    [[{ op: "remove", path: "/role_slug" }], "Membership patch op must be 'replace' or 'add'"],
    [[{ op: "replace", path: "/role", value: "admin" }], "Membership patch path must be '/role_slug'"],
    [setRole(""), "role_slug value must be a non-empty string"],
    [setRole(5), "role_slug value must be a non-empty string"],
    [[{ op: "replace", path: "/role_slug" }], "role_slug value must be a non-empty string"],
  ])("%j → 400", async (operations, detail) => {
    const user = await inBoth();
    const response = await t.req(`/users/${user.email}/organizations/${orgB.slug}`, patch(operations, admin.headers));
    expect(response.status).toBe(400);
    expect(await body(response)).toEqual({ detail });
  });

  test.each([
    [[{ op: "frobnicate", path: "/role_slug", value: "admin" }]],
    [{ op: "replace", path: "/role_slug", value: "admin" }],
  ])("malformed patch %j → 422", async (payload) => {
    const user = await inBoth();
    expect((await t.req(`/users/${user.email}/organizations/${orgB.slug}`, patch(payload, admin.headers))).status).toBe(422);
  });

  test("unknown role, user or membership → 404", async () => {
    const user = await createUser(t, { org: orgA, role: "developer" });
    const role = await t.req(`/users/${user.email}/organizations/${orgA.slug}`, patch(setRole("no-such-role"), admin.headers));
    expect(role.status).toBe(404);
    expect(await body(role)).toEqual({ detail: "Role 'no-such-role' not found" });
    const notMember = await t.req(`/users/${user.email}/organizations/${orgB.slug}`, patch(setRole("readonly"), admin.headers));
    expect(notMember.status).toBe(404);
    expect(await body(notMember)).toEqual({ detail: `User '${user.email}' is not a member of organization '${orgB.slug}'` });
    const noOrg = await t.req(`/users/${user.email}/organizations/nowhere`, patch(setRole("readonly"), admin.headers));
    expect(noOrg.status).toBe(404);
    const ghost = await t.req(`/users/ghost@example.com/organizations/${orgA.slug}`, patch(setRole("readonly"), admin.headers));
    expect(ghost.status).toBe(404);
  });

  test("401 without or with bad credentials; 403 without user:update", async () => {
    const user = await inBoth();
    await expectUnauthenticated(t, `/users/${user.email}/organizations/${orgA.slug}`, "PATCH", setRole("readonly"));
    await expectDenied(t, `/users/${user.email}/organizations/${orgA.slug}`, "PATCH", reader.headers, "user:update", setRole("readonly"));
  });
});

describe("DELETE /users/{email}/organizations/{org_slug}", () => {
  test("removes the membership", async () => {
    const user = await inBoth();
    const response = await t.req(`/users/${user.email}/organizations/${orgB.slug}`, send("DELETE", undefined, admin.headers));
    expect(response.status).toBe(204);
    expect(await roleIn(user, orgB)).toBeUndefined();
    expect(await roleIn(user, orgA)).toBe("developer");
    expect(events.find((e) => e.type === "user.membership_removed" && e.detail?.email === user.email)).toMatchObject({ detail: { organization: orgB.slug } });
  });

  test("D2: only with user:update in that organization", async () => {
    const user = await inBoth();
    await expectDenied(t, `/users/${user.email}/organizations/${orgB.slug}`, "DELETE", manager.headers, "user:update");
    expect(await roleIn(user, orgB)).toBe("developer");
    expect((await t.req(`/users/${user.email}/organizations/${orgA.slug}`, send("DELETE", undefined, manager.headers))).status).toBe(204);
  });

  test("not a member, unknown organization or user → 404", async () => {
    const user = await createUser(t, { org: orgA, role: "developer" });
    const response = await t.req(`/users/${user.email}/organizations/${orgB.slug}`, send("DELETE", undefined, admin.headers));
    expect(response.status).toBe(404);
    expect(await body(response)).toEqual({ detail: `User '${user.email}' is not a member of organization '${orgB.slug}'` });
    expect((await t.req(`/users/${user.email}/organizations/nowhere`, send("DELETE", undefined, admin.headers))).status).toBe(404);
    expect((await t.req(`/users/ghost@example.com/organizations/${orgA.slug}`, send("DELETE", undefined, admin.headers))).status).toBe(404);
  });

  test("401 without or with bad credentials; 403 without user:update", async () => {
    const user = await inBoth();
    await expectUnauthenticated(t, `/users/${user.email}/organizations/${orgA.slug}`, "DELETE");
    await expectDenied(t, `/users/${user.email}/organizations/${orgA.slug}`, "DELETE", reader.headers, "user:update");
  });
});
