/** PATCH /service-accounts/{slug}: JSON Patch (RFC 6902) over the writable fields. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bearer, createApiKey, createServiceAccount, createUser, login, send, unique } from "../../helpers/identity.ts";
import { newId } from "../../../src/lib/ids.ts";
import { startCast, type Cast } from "./fixtures.ts";

let c: Cast;
beforeAll(async () => { c = await startCast(); });
afterAll(() => c.t.close());

const patch = (slug: string, operations: unknown, headers = c.adminA) => c.t.req(`/service-accounts/${slug}`, send("PATCH", operations, headers));
const fresh = () => createServiceAccount(c.t, { org: c.orgA });

describe("PATCH /service-accounts/{slug}", () => {
  test("replace, add and remove apply; the result is returned and stored", async () => {
    const account = await fresh();
    const response = await patch(account.slug, [
      { op: "replace", path: "/display_name", value: "Renamed" },
      { op: "add", path: "/description", value: "Now described" },
      { op: "replace", path: "/avatar_url", value: "https://example.com/a.png" },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      slug: account.slug, display_name: "Renamed", description: "Now described", avatar_url: "https://example.com/a.png",
      organizations: [{ organization_slug: c.orgA.slug }],
    });
    const stored = (await (await c.t.req(`/service-accounts/${account.slug}`, { headers: c.adminA })).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ display_name: "Renamed", description: "Now described" });
    expect(stored.updated_at).not.toBeNull();
    expect(c.events.some((e) => e.type === "service_account.updated" && e.detail?.service_account === account.slug)).toBe(true);
  });

  test("a passing test op lets the patch through; an empty patch changes nothing", async () => {
    const account = await fresh();
    expect((await patch(account.slug, [
      { op: "test", path: "/is_active", value: true }, { op: "replace", path: "/description", value: "ok" },
    ])).status).toBe(200);
    const response = await patch(account.slug, []);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ description: "ok" });
  });

  test("copy and move work between writable fields", async () => {
    const account = await fresh();
    const response = await patch(account.slug, [{ op: "copy", from: "/display_name", path: "/description" }]);
    expect(await response.json()).toMatchObject({ description: account.slug.toUpperCase() });
  });

  test("deactivating shuts the account's API keys out at once", async () => {
    const account = await createServiceAccount(c.t, { org: c.orgA, role: "admin" });
    const { key } = await createApiKey(c.t, { serviceAccountId: account.id });
    expect((await c.t.req("/service-accounts", { headers: bearer(key) })).status).toBe(200);
    expect((await patch(account.slug, [{ op: "replace", path: "/is_active", value: false }])).status).toBe(200);
    const response = await c.t.req("/service-accounts", { headers: bearer(key) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Service account is inactive" });
  });

  test.each([
    ["changing the slug", [{ op: "replace", path: "/slug", value: "other" }]],
    ["patching created_at", [{ op: "replace", path: "/created_at", value: "2020-01-01T00:00:00Z" }]],
    ["patching organizations", [{ op: "add", path: "/organizations", value: [] }]],
    ["patching last_authenticated", [{ op: "add", path: "/last_authenticated", value: null }]],
    ["the root", [{ op: "replace", path: "", value: {} }]],
    ["a path that does not exist", [{ op: "replace", path: "/display_name/deeper", value: "x" }]],
    ["remove of a missing field", [{ op: "remove", path: "/nope" }]],
    ["replace without a value", [{ op: "replace", path: "/display_name" }]],
    ["move without from", [{ op: "move", path: "/description" }]],
  ])("%s → 400", async (_, operations) => {
    const account = await fresh();
    const response = await patch(account.slug, operations);
    expect(response.status).toBe(400);
    expect(typeof ((await response.json()) as { detail: unknown }).detail).toBe("string");
  });

  test.each([
    ["a failed test op", [{ op: "test", path: "/is_active", value: false }, { op: "replace", path: "/display_name", value: "x" }]],
    ["removing a required field", [{ op: "remove", path: "/display_name" }]],
    ["an empty display_name", [{ op: "replace", path: "/display_name", value: "" }]],
    ["a display_name too long", [{ op: "replace", path: "/display_name", value: "x".repeat(129) }]],
    ["a non-boolean is_active", [{ op: "replace", path: "/is_active", value: "yes" }]],
    ["a bad avatar_url", [{ op: "replace", path: "/avatar_url", value: "javascript:alert(1)" }]],
    ["an unknown field", [{ op: "add", path: "/color", value: "red" }]],
    ["an unknown op", [{ op: "merge", path: "/display_name", value: "x" }]],
    ["an op without a path", [{ op: "replace", value: "x" }]],
    ["a body that is not an array", { op: "replace", path: "/display_name", value: "x" }],
  ])("%s → 422", async (_, operations) => {
    const account = await fresh();
    const response = await patch(account.slug, operations);
    expect(response.status).toBe(422);
  });

  test("a refused patch leaves the account unchanged", async () => {
    const account = await fresh();
    await patch(account.slug, [{ op: "replace", path: "/display_name", value: "Changed" }, { op: "test", path: "/is_active", value: false }]);
    expect(await (await c.t.req(`/service-accounts/${account.slug}`, { headers: c.adminA })).json()).toMatchObject({ display_name: account.slug.toUpperCase() });
  });

  test("unknown → 404", async () => {
    expect((await patch("ghost", [])).status).toBe(404);
  });

  test("a member without service_account:update → 403", async () => {
    const account = await fresh();
    const response = await patch(account.slug, [{ op: "replace", path: "/display_name", value: "x" }], c.developerA);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "Permission denied: service_account:update required" });
  });

  test("update held elsewhere does not count: reader in the account's organization, admin in another → 403", async () => {
    const roleId = newId();
    await c.t.infra.sql`insert into roles (id, slug, name) values (${roleId}, ${unique("sa-viewer-")}, 'SA viewer')`;
    await c.t.infra.sql`insert into role_permissions (role_id, permission_name) values (${roleId}, 'service_account:read')`;
    const viewer = await createUser(c.t, { org: c.orgB, role: "admin" });
    await c.t.infra.sql`insert into organization_memberships (organization_id, user_id, role_id) values (${c.orgA.id}, ${viewer.id}, ${roleId})`;
    const viewerAuth = bearer((await login(c.t, viewer)).access_token);
    const account = await fresh();
    expect((await c.t.req(`/service-accounts/${account.slug}`, { headers: viewerAuth })).status).toBe(200);
    const response = await patch(account.slug, [{ op: "replace", path: "/display_name", value: "x" }], viewerAuth);
    expect(response.status).toBe(403);
    expect(c.events.some((e) => e.type === "permission.denied" && e.actor_id === viewer.id && e.detail?.organization === c.orgA.slug)).toBe(true);
  });

  test("an admin of another organization → 404 (the account is not theirs to see)", async () => {
    const account = await fresh();
    expect((await patch(account.slug, [{ op: "replace", path: "/display_name", value: "x" }], c.adminB)).status).toBe(404);
  });

  test("an account in no organization may be patched by any holder of the permission", async () => {
    const loose = await createServiceAccount(c.t);
    expect((await patch(loose.slug, [{ op: "replace", path: "/description", value: "x" }], c.adminB)).status).toBe(200);
  });
});
