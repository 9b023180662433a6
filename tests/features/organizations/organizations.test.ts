/** /organizations: create, list, get, JSON Patch, delete, members; relationships and previous_slugs. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, createCast, expect422, insertProject, insertTeam, randomSlug, send, serviceAccount, type Cast } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const create = async (extra: Record<string, unknown> = {}, headers = cast.adminA.headers) => {
  const slug = randomSlug("org");
  const response = await send(t, "POST", "/organizations/", { name: `Org ${slug}`, slug, ...extra }, headers);
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};
const patch = (slug: string, operations: unknown, headers = cast.adminA.headers) => send(t, "PATCH", `/organizations/${slug}`, operations, headers);

describe("POST /organizations/", () => {
  test("201 with defaults and relationships; the creator becomes an admin-role member", async () => {
    const slug = randomSlug("org");
    const response = await send(t, "POST", "/organizations/", { name: "Acme", slug, description: "Widgets" }, cast.adminA.headers);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: "Acme", slug, description: "Widgets", icon: null, tag_formats: [], previous_slugs: [], updated_at: null,
      relationships: {
        teams: { href: `/organizations/${slug}/teams`, count: 0 },
        members: { href: `/organizations/${slug}/members`, count: 1 },
        projects: { href: `/organizations/${slug}/projects`, count: 0 },
      },
    });
    expect(response.body.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    const [membership] = await t.infra.sql`select r.slug as role from organization_memberships m join roles r on r.id = m.role_id
      where m.organization_id = ${response.body.id} and m.user_id = ${cast.adminA.user.id}`;
    expect(membership?.role).toBe("admin");
    // ...so the creator may manage it at once (permissions are per organization, D2).
    expect((await send(t, "POST", `/organizations/${slug}/teams/`, { name: "T", slug: "t" }, cast.adminA.headers)).status).toBe(201);
  });

  test("answers without the trailing slash; unknown fields and a client id are dropped", async () => {
    const slug = randomSlug("org");
    const response = await send(t, "POST", "/organizations", { name: "X", slug, id: "mine", previous_slugs: ["a"], extra: 1 }, cast.adminA.headers);
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe("mine");
    expect(response.body.previous_slugs).toEqual([]);
    expect(response.body).not.toHaveProperty("extra");
  });

  test("a service account that creates an organization becomes its admin-role member", async () => {
    const sa = await serviceAccount(t, cast.orgA, "admin");
    const created = await create({}, sa.headers);
    const rows = await t.infra.sql`select r.slug as role from service_account_memberships m join roles r on r.id = m.role_id
      where m.organization_id = ${created.id} and m.service_account_id = ${sa.id}`;
    expect(rows.map((r) => r.role)).toEqual(["admin"]);
    expect((await send(t, "GET", `/organizations/${created.slug}`, undefined, sa.headers)).status).toBe(200);
  });

  test("tag_formats are stored and returned", async () => {
    const formats = [{ label: "SemVer", pattern: "^v?\\d+\\.\\d+\\.\\d+$" }, { label: "Named", pattern: "^r(?<n>\\d+)$" }];
    expect((await create({ tag_formats: formats })).tag_formats).toEqual(formats);
  });

  test("409 naming the slug when it is taken (also by an organization the caller cannot see)", async () => {
    const response = await send(t, "POST", "/organizations/", { name: "Dup", slug: cast.orgB.slug }, cast.adminA.headers);
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe(`Organization with slug '${cast.orgB.slug}' already exists`);
  });

  test.each([
    ["a slug with a space", { slug: "Bad Slug" }, "slug"],
    ["a slug starting with -", { slug: "-x" }, "slug"],
    ["a 65-char slug", { slug: "x".repeat(65) }, "slug"],
    ["an upper-case slug", { slug: "ACME" }, "slug"],
    ["an empty slug", { slug: "" }, "slug"],
    ["a numeric slug", { slug: 1 }, "slug"],
    ["no slug", { slug: undefined }, "slug"],
    ["an empty name", { name: "" }, "name"],
    ["a numeric name", { name: 1 }, "name"],
    ["no name", { name: undefined }, "name"],
    ["a numeric description", { description: 2 }, "description"],
    ["a numeric icon", { icon: 2 }, "icon"],
    ["tag_formats as an object", { tag_formats: { label: "a", pattern: "b" } }, "tag_formats"],
    ["a tag format missing its label", { tag_formats: [{ pattern: "b" }] }, "tag_formats.0.label"],
    ["a tag format label over 64 chars", { tag_formats: [{ label: "l".repeat(65), pattern: "b" }] }, "tag_formats.0.label"],
    ["an empty tag format pattern", { tag_formats: [{ label: "l", pattern: "" }] }, "tag_formats.0.pattern"],
    ["an invalid regex", { tag_formats: [{ label: "l", pattern: "[a-" }] }, "tag_formats.0.pattern"],
  ])("422 for %s", async (_case, fields, field) => {
    const body = { name: "Name", slug: randomSlug("org"), ...fields };
    expect422(await send(t, "POST", "/organizations/", body, cast.adminA.headers), field);
  });
});

describe("GET /organizations/", () => {
  test("lists the organizations where the caller holds organization:read, by name, with and without the slash", async () => {
    for (const path of ["/organizations/", "/organizations"]) {
      const mine = await send(t, "GET", path, undefined, cast.readonlyA.headers);
      expect(mine.status).toBe(200);
      expect(mine.body.map((o: { slug: string }) => o.slug)).toEqual([cast.orgA.slug]);
    }
    const theirs = await send(t, "GET", "/organizations/", undefined, cast.developerB.headers);
    expect(theirs.body.map((o: { slug: string }) => o.slug)).toEqual([cast.orgB.slug]);
  });

  test("a system administrator sees every organization, ordered by name", async () => {
    await create({ name: "zzz last" });
    await create({ name: "AAA first" });
    const all = await send(t, "GET", "/organizations/", undefined, cast.system.headers);
    const names: string[] = all.body.map((o: { name: string }) => o.name);
    expect(names).toContain(cast.orgA.slug.toUpperCase());
    expect(names).toContain(cast.orgB.slug.toUpperCase());
    expect(names[0]).toBe("AAA first");
    expect(names.at(-1)).toBe("zzz last");
  });

  test("a member of several organizations sees each of them", async () => {
    const user = await actor(t, { org: cast.orgA, role: "readonly" });
    await t.infra.sql`insert into organization_memberships (organization_id, user_id, role_id)
      select ${cast.orgB.id}, ${user.user.id}, id from roles where slug = 'developer'`;
    const listed = await send(t, "GET", "/organizations/", undefined, user.headers);
    expect(listed.body.map((o: { slug: string }) => o.slug).sort()).toEqual([cast.orgA.slug, cast.orgB.slug].sort());
  });

  test("an organization where the caller's role lacks organization:read is not listed", async () => {
    const roleId = randomSlug("role");
    await t.infra.sql`insert into roles (id, slug, name) values (${roleId}, ${roleId}, 'Teams only')`;
    await t.infra.sql`insert into role_permissions (role_id, permission_name) values (${roleId}, 'team:read')`;
    const user = await actor(t, { org: cast.orgA, role: "readonly" });
    await t.infra.sql`insert into organization_memberships (organization_id, user_id, role_id) values (${cast.orgB.id}, ${user.user.id}, ${roleId})`;
    const listed = await send(t, "GET", "/organizations/", undefined, user.headers);
    expect(listed.body.map((o: { slug: string }) => o.slug)).toEqual([cast.orgA.slug]);
    expect((await send(t, "GET", `/organizations/${cast.orgB.slug}`, undefined, user.headers)).status).toBe(403);
    expect((await send(t, "GET", `/organizations/${cast.orgB.slug}/teams/`, undefined, user.headers)).status).toBe(200);
  });
});

describe("GET /organizations/{org_slug}", () => {
  test("200 with relationship counts from teams, members and projects", async () => {
    const org = await create();
    const team = await insertTeam(t, org.id);
    await insertTeam(t, org.id);
    await insertProject(t, { orgId: org.id, teamId: team.id });
    await actor(t, { org, role: "readonly" });
    const response = await send(t, "GET", `/organizations/${org.slug}`, undefined, cast.adminA.headers);
    expect(response.status).toBe(200);
    expect(response.body.relationships).toEqual({
      teams: { href: `/organizations/${org.slug}/teams`, count: 2 },
      members: { href: `/organizations/${org.slug}/members`, count: 2 },
      projects: { href: `/organizations/${org.slug}/projects`, count: 1 },
    });
  });

  test("404 naming the slug for an unknown organization (as a system administrator)", async () => {
    const response = await send(t, "GET", "/organizations/nope", undefined, cast.system.headers);
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: "Organization with slug 'nope' not found" });
  });
});

describe("PATCH /organizations/{org_slug}", () => {
  test("replaces fields; a slug change records previous_slugs and moves hrefs; old slugs do not resolve", async () => {
    const org = await create({ description: "d" });
    const first = randomSlug("mid");
    const renamed = await patch(org.slug, [{ op: "replace", path: "/slug", value: first }, { op: "replace", path: "/name", value: "Renamed" }, { op: "remove", path: "/description" }]);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: org.id, slug: first, name: "Renamed", description: null, previous_slugs: [org.slug] });
    expect(renamed.body.relationships.teams.href).toBe(`/organizations/${first}/teams`);
    expect(renamed.body.updated_at).not.toBeNull();
    expect((await send(t, "GET", `/organizations/${org.slug}`, undefined, cast.system.headers)).status).toBe(404);
    // The creator's admin role follows the organization, whatever its slug.
    expect((await send(t, "GET", `/organizations/${first}/teams/`, undefined, cast.adminA.headers)).status).toBe(200);
    const second = randomSlug("last");
    expect((await patch(first, [{ op: "replace", path: "/slug", value: second }])).body.previous_slugs).toEqual([org.slug, first]);
    const back = await patch(second, [{ op: "replace", path: "/slug", value: org.slug }]);
    expect(back.body.previous_slugs).toEqual([first, second]);
    expect((await patch(org.slug, [{ op: "replace", path: "/name", value: "Same slug" }])).body.previous_slugs).toEqual([first, second]);
  });

  test("tag_formats can be patched; an invalid regex is 422 and changes nothing", async () => {
    const org = await create();
    const added = await patch(org.slug, [{ op: "add", path: "/tag_formats/-", value: { label: "v", pattern: "^v\\d+$" } }]);
    expect(added.body.tag_formats).toEqual([{ label: "v", pattern: "^v\\d+$" }]);
    expect422(await patch(org.slug, [{ op: "add", path: "/tag_formats/-", value: { label: "bad", pattern: "(" } }]), "tag_formats.1.pattern");
    expect422(await patch(org.slug, [{ op: "replace", path: "/tag_formats", value: "^v" }]), "tag_formats");
    expect422(await patch(org.slug, [{ op: "replace", path: "/tag_formats/0/label", value: "" }]), "tag_formats.0.label");
    expect((await send(t, "GET", `/organizations/${org.slug}`, undefined, cast.adminA.headers)).body.tag_formats).toHaveLength(1);
  });

  test("409 when the new slug is taken", async () => {
    const org = await create();
    const clash = await patch(org.slug, [{ op: "replace", path: "/slug", value: cast.orgB.slug }]);
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toBe(`Organization with slug '${cast.orgB.slug}' already exists`);
  });

  test.each([
    ["/id", { op: "replace", path: "/id", value: "x" }],
    ["/created_at", { op: "remove", path: "/created_at" }],
    ["/updated_at", { op: "add", path: "/updated_at", value: "x" }],
    ["/relationships", { op: "add", path: "/relationships/teams", value: {} }],
    ["/previous_slugs", { op: "add", path: "/previous_slugs", value: ["taken"] }],
    ["/previous_slugs", { op: "copy", from: "/previous_slugs", path: "/tag_formats" }],
  ])("400: %s is read-only", async (pointer, operation) => {
    const org = await create();
    const response = await patch(org.slug, [operation]);
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe(`Path '${pointer}' is read-only and cannot be patched`);
  });

  test("failed test → 422 (D2 shape); unknown op → 422; missing path → 400; invalid result → 422; not a list → 422", async () => {
    const org = await create();
    const failed = await patch(org.slug, [{ op: "test", path: "/name", value: "other" }]);
    expect422(failed);
    expect(failed.body.detail[0].type).toBe("patch_test_failed");
    expect((await patch(org.slug, [{ op: "jump", path: "/name" }])).status).toBe(422);
    expect((await patch(org.slug, [{ op: "replace", path: "/missing/deeper", value: 1 }])).status).toBe(400);
    expect((await patch(org.slug, [{ op: "replace", path: "", value: {} }])).status).toBe(400);
    expect422(await patch(org.slug, [{ op: "replace", path: "/slug", value: "Bad Slug" }]), "slug");
    expect422(await patch(org.slug, [{ op: "remove", path: "/name" }]), "name");
    expect422(await patch(org.slug, { op: "replace", path: "/name", value: "x" }));
    expect((await send(t, "GET", `/organizations/${org.slug}`, undefined, cast.adminA.headers)).body.name).toBe(org.name);
  });

  test("404 for an unknown organization (as a system administrator)", async () => {
    expect((await patch("nope", [], cast.system.headers)).status).toBe(404);
  });
});

describe("DELETE /organizations/{org_slug}", () => {
  test("204 for an organization with only members; memberships go with it", async () => {
    const org = await create();
    const response = await send(t, "DELETE", `/organizations/${org.slug}`, undefined, cast.adminA.headers);
    expect(response.status).toBe(204);
    expect(await t.infra.sql`select 1 from organization_memberships where organization_id = ${org.id}`).toHaveLength(0);
    expect((await send(t, "GET", `/organizations/${org.slug}`, undefined, cast.system.headers)).status).toBe(404);
    expect((await send(t, "DELETE", `/organizations/${org.slug}`, undefined, cast.system.headers)).status).toBe(404);
  });

  test.each([
    ["teams", "teams", "1 teams"],
    ["environments", "environments", "1 environments"],
    ["project-types", "project types", "1 project types"],
    ["tags", "tags", "1 tags"],
    ["link-definitions", "link definitions", "1 link definitions"],
  ])("409 naming the dependents while it has %s; nothing is deleted", async (segment, _label, words) => {
    const org = await create();
    expect((await send(t, "POST", `/organizations/${org.slug}/${segment}/`, { name: "Dep", slug: "dep" }, cast.adminA.headers)).status).toBe(201);
    const refused = await send(t, "DELETE", `/organizations/${org.slug}`, undefined, cast.adminA.headers);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(`Organization '${org.slug}' still has ${words}; delete them first`);
    expect((await send(t, "GET", `/organizations/${org.slug}/${segment}/dep`, undefined, cast.adminA.headers)).status).toBe(200);
  });

  test("409 lists every kind of dependent with counts (projects included)", async () => {
    const org = await create();
    const team = await insertTeam(t, org.id);
    await insertTeam(t, org.id);
    await insertProject(t, { orgId: org.id, teamId: team.id });
    const refused = await send(t, "DELETE", `/organizations/${org.slug}`, undefined, cast.adminA.headers);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("2 teams");
    expect(refused.body.detail).toContain("1 projects");
  });
});

describe("GET /organizations/{org_slug}/members", () => {
  test("users with their role, ordered by email; 404 for an unknown organization", async () => {
    const org = await create();
    const b = await actor(t, { org, role: "readonly", email: `b-${randomSlug()}@example.com` });
    const a = await actor(t, { org, role: "developer", email: `a-${randomSlug()}@example.com` });
    const response = await send(t, "GET", `/organizations/${org.slug}/members`, undefined, cast.adminA.headers);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { email: a.user.email, display_name: a.user.email.split("@")[0], role: "developer" },
      { email: b.user.email, display_name: b.user.email.split("@")[0], role: "readonly" },
      { email: cast.adminA.user.email, display_name: cast.adminA.user.email.split("@")[0], role: "admin" },
    ].sort((x, y) => x.email.localeCompare(y.email)));
    expect((await send(t, "GET", "/organizations/nope/members", undefined, cast.system.headers)).status).toBe(404);
  });
});
