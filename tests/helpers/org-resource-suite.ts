/**
 * One table-driven suite for the organization-scoped catalog entities (teams, environments,
 * project types, tags, link definitions), which share one implementation
 * (src/features/catalog). Each entity's routes test file calls orgResourceSuite(case) with
 * what differs: a valid body, its defaults, its relationships, its own malformed fields,
 * and what blocks a delete. Access control (401/403, the role matrix) and the never-500
 * tables live in org-resource-access.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "./app.ts";
import { createCast, expect422, randomSlug, send, type Cast } from "./catalog.ts";
import { accessSuite } from "./org-resource-access.ts";

export interface EntityCase {
  segment: string;
  label: string;
  table: string;
  permissions: { create: string; read: string; update: string; delete: string };
  hasIcon: boolean;
  /** Fields beyond name/slug/description/icon a minimal create returns, with their defaults. */
  defaults: Record<string, unknown>;
  /** Relationship key → href expected for (org, slug), with count 0 on a new entity. */
  relationships: Record<string, (org: string, slug: string) => string>;
  /** Entity-specific malformed create fields: [case, fields merged into a valid body, loc field]. */
  invalid: [string, Record<string, unknown>, string][];
  /** Inserts rows that depend on the entity; returns the words the 409 must contain. */
  block?: (t: TestApp, orgId: string, entityId: string) => Promise<{ unblock: () => Promise<void>; words: string }>;
}

export interface SuiteState {
  t: TestApp;
  cast: Cast;
}

const COMMON_INVALID: [string, Record<string, unknown>, string][] = [
  ["slug with a space", { slug: "Bad Slug" }, "slug"],
  ["upper-case slug", { slug: "Bad" }, "slug"],
  ["slug starting with -", { slug: "-x" }, "slug"],
  ["slug starting with _", { slug: "_x" }, "slug"],
  ["slug of 65 chars", { slug: "x".repeat(65) }, "slug"],
  ["empty slug", { slug: "" }, "slug"],
  ["slug with a dot", { slug: "a.b" }, "slug"],
  ["slug with a slash", { slug: "a/b" }, "slug"],
  ["non-ASCII slug", { slug: "café" }, "slug"],
  ["numeric slug", { slug: 12 }, "slug"],
  ["null slug", { slug: null }, "slug"],
  ["empty name", { name: "" }, "name"],
  ["numeric name", { name: 5 }, "name"],
  ["object name", { name: { a: 1 } }, "name"],
  ["array name", { name: ["a"] }, "name"],
  ["null name", { name: null }, "name"],
  ["name over 255 chars", { name: "n".repeat(256) }, "name"],
  ["name with NUL", { name: "a\u0000b" }, "name"],
  ["numeric description", { description: 1 }, "description"],
  ["boolean description", { description: true }, "description"],
  ["description with NUL", { description: "\u0000" }, "description"],
];

export function orgResourceSuite(c: EntityCase): void {
  const state = {} as SuiteState;
  beforeAll(async () => {
    state.t = await startTestApp();
    state.cast = await createCast(state.t);
  });
  afterAll(() => state.t.close());

  const base = (org: string) => `/organizations/${org}/${c.segment}`;
  const body = (slug: string, extra: Record<string, unknown> = {}) => ({ name: `Name ${slug}`, slug, ...extra });
  const create = async (slug = randomSlug(), extra: Record<string, unknown> = {}) => {
    const created = await send(state.t, "POST", `${base(state.cast.orgA.slug)}/`, body(slug, extra), state.cast.adminA.headers);
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body;
  };
  const asAdmin = (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, payload?: unknown) =>
    send(state.t, method, path, payload, state.cast.adminA.headers);
  const patch = (slug: string, operations: unknown) => asAdmin("PATCH", `${base(state.cast.orgA.slug)}/${slug}`, operations);

  describe(`POST /organizations/{org_slug}/${c.segment}/`, () => {
    test("201 with the stored document, its organization, defaults and relationships", async () => {
      const { t, cast } = state;
      const slug = randomSlug();
      const created = await send(t, "POST", `${base(cast.orgA.slug)}/`, body(slug, { description: "About it" }), cast.adminA.headers);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: `Name ${slug}`, slug, description: "About it", ...(c.hasIcon ? { icon: null } : {}), ...c.defaults,
        updated_at: null, organization: { id: cast.orgA.id, slug: cast.orgA.slug },
      });
      expect(created.body.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
      expect(Number.isNaN(Date.parse(created.body.created_at))).toBe(false);
      expect(created.body.relationships).toEqual(Object.fromEntries(Object.entries(c.relationships)
        .map(([key, href]) => [key, { href: href(cast.orgA.slug, slug), count: 0 }])));
      const [row] = await t.infra.sql`select * from ${t.infra.sql(c.table)} where id = ${created.body.id}`;
      expect(row).toMatchObject({ organization_id: cast.orgA.id, slug, description: "About it" });
    });

    test("answers without the trailing slash too", async () => {
      const slug = randomSlug();
      const created = await asAdmin("POST", base(state.cast.orgA.slug), body(slug));
      expect(created.status).toBe(201);
      expect(created.body.slug).toBe(slug);
    });

    test("client-chosen id, organization and timestamps are ignored", async () => {
      const { cast } = state;
      const slug = randomSlug();
      const created = await asAdmin("POST", `${base(cast.orgA.slug)}/`, body(slug, {
        id: "chosen-id", organization_id: cast.orgB.id, organization: { slug: cast.orgB.slug }, created_at: "2000-01-01T00:00:00Z", updated_at: "2000-01-01T00:00:00Z",
      }));
      expect(created.status).toBe(201);
      expect(created.body.id).not.toBe("chosen-id");
      expect(created.body.organization.slug).toBe(cast.orgA.slug);
      expect(created.body.updated_at).toBeNull();
      expect(created.body.created_at).not.toStartWith("2000");
    });

    test("409 naming the slug when it is taken in the organization; other organizations may reuse it", async () => {
      const { t, cast } = state;
      const slug = randomSlug();
      await create(slug);
      const clash = await asAdmin("POST", `${base(cast.orgA.slug)}/`, body(slug));
      expect(clash.status).toBe(409);
      expect(clash.body.detail).toBe(`${c.label} with slug '${slug}' already exists`);
      const elsewhere = await send(t, "POST", `${base(cast.orgB.slug)}/`, body(slug), cast.adminB.headers);
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body.organization.slug).toBe(cast.orgB.slug);
    });

    test.each([...COMMON_INVALID, ...c.invalid])("422 for %s", async (_case, fields, field) => {
      const response = await asAdmin("POST", `${base(state.cast.orgA.slug)}/`, { ...body(randomSlug()), ...fields });
      expect422(response, field);
    });

    test("422 when name or slug is missing", async () => {
      expect422(await asAdmin("POST", `${base(state.cast.orgA.slug)}/`, { slug: randomSlug() }), "name");
      expect422(await asAdmin("POST", `${base(state.cast.orgA.slug)}/`, {}), "name");
    });

    test("400 for malformed JSON", async () => {
      const response = await asAdmin("POST", `${base(state.cast.orgA.slug)}/`, "{\"name\":");
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ detail: "Invalid JSON body" });
    });

    test("404 for an unknown organization", async () => {
      const response = await send(state.t, "POST", `${base("no-such-org")}/`, body(randomSlug()), state.cast.system.headers);
      expect(response.status).toBe(404);
      expect(response.body.detail).toBe("Organization with slug 'no-such-org' not found");
    });
  });

  describe(`GET /organizations/{org_slug}/${c.segment}/`, () => {
    test("lists the organization's entities only, with and without the trailing slash", async () => {
      const { t, cast } = state;
      const mine = await create();
      const theirs = (await send(t, "POST", `${base(cast.orgB.slug)}/`, body(randomSlug()), cast.adminB.headers)).body;
      for (const path of [`${base(cast.orgA.slug)}/`, base(cast.orgA.slug)]) {
        const listed = await asAdmin("GET", path);
        expect(listed.status).toBe(200);
        const slugs = listed.body.map((e: { slug: string }) => e.slug);
        expect(slugs).toContain(mine.slug);
        expect(slugs).not.toContain(theirs.slug);
        expect(listed.body.find((e: { slug: string }) => e.slug === mine.slug)).toEqual(mine);
      }
    });

    test("404 for an unknown organization", async () => {
      expect((await send(state.t, "GET", `${base("no-such-org")}/`, undefined, state.cast.system.headers)).status).toBe(404);
    });
  });

  describe(`GET /organizations/{org_slug}/${c.segment}/{slug}`, () => {
    test("200 with the entity", async () => {
      const created = await create();
      const fetched = await asAdmin("GET", `${base(state.cast.orgA.slug)}/${created.slug}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created);
    });

    test("404 naming the slug for an unknown entity, and for another organization's entity", async () => {
      const { t, cast } = state;
      const missing = await asAdmin("GET", `${base(cast.orgA.slug)}/nope`);
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toBe(`${c.label} with slug 'nope' not found`);
      const theirs = await send(t, "POST", `${base(cast.orgB.slug)}/`, body(randomSlug()), cast.adminB.headers);
      expect((await asAdmin("GET", `${base(cast.orgA.slug)}/${theirs.body.slug}`)).status).toBe(404);
    });

    test("404 for an unknown organization", async () => {
      const response = await send(state.t, "GET", `${base("no-such-org")}/x`, undefined, state.cast.system.headers);
      expect(response.status).toBe(404);
      expect(response.body.detail).toBe("Organization with slug 'no-such-org' not found");
    });
  });

  describe(`PATCH /organizations/{org_slug}/${c.segment}/{slug}`, () => {
    test("replaces fields, sets updated_at and persists", async () => {
      const created = await create();
      const patched = await patch(created.slug, [
        { op: "replace", path: "/name", value: "Renamed" },
        { op: "replace", path: "/description", value: "Now described" },
      ]);
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: created.id, name: "Renamed", description: "Now described", slug: created.slug });
      expect(Date.parse(patched.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.created_at));
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${created.slug}`)).body).toEqual(patched.body);
    });

    test("a slug change moves the entity and its relationship hrefs", async () => {
      const created = await create();
      const next = randomSlug("renamed");
      const patched = await patch(created.slug, [{ op: "replace", path: "/slug", value: next }]);
      expect(patched.status).toBe(200);
      expect(patched.body.slug).toBe(next);
      for (const [key, href] of Object.entries(c.relationships)) expect(patched.body.relationships[key].href).toBe(href(state.cast.orgA.slug, next));
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${created.slug}`)).status).toBe(404);
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${next}`)).body.id).toBe(created.id);
    });

    test("409 when the new slug is taken; nothing changes", async () => {
      const [a, b] = [await create(), await create()];
      const clash = await patch(a.slug, [{ op: "replace", path: "/name", value: "Changed" }, { op: "replace", path: "/slug", value: b.slug }]);
      expect(clash.status).toBe(409);
      expect(clash.body.detail).toBe(`${c.label} with slug '${b.slug}' already exists`);
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${a.slug}`)).body.name).toBe(a.name);
    });

    test("remove of an optional field clears it; an unknown added field is dropped; [] changes nothing", async () => {
      const created = await create(randomSlug(), { description: "x" });
      const removed = await patch(created.slug, [{ op: "remove", path: "/description" }, { op: "add", path: "/unknown_field", value: 1 }]);
      expect(removed.status).toBe(200);
      expect(removed.body.description).toBeNull();
      expect(removed.body).not.toHaveProperty("unknown_field");
      const same = await patch(created.slug, []);
      expect(same.status).toBe(200);
      expect(same.body.name).toBe(created.name);
    });

    test("a passing test op lets the patch through; a failing one is 422 in the D2 shape and changes nothing", async () => {
      const created = await create();
      const passed = await patch(created.slug, [{ op: "test", path: "/name", value: created.name }, { op: "replace", path: "/name", value: "Tested" }]);
      expect(passed.status).toBe(200);
      expect(passed.body.name).toBe("Tested");
      const failed = await patch(created.slug, [{ op: "replace", path: "/name", value: "Never" }, { op: "test", path: "/name", value: "Other" }]);
      expect422(failed);
      expect(failed.body.detail[0].msg).toContain("Patch test operation failed");
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${created.slug}`)).body.name).toBe("Tested");
    });

    test.each([
      ["/id", { op: "replace", path: "/id", value: "x" }],
      ["/created_at", { op: "replace", path: "/created_at", value: "2000-01-01T00:00:00Z" }],
      ["/updated_at", { op: "add", path: "/updated_at", value: null }],
      ["/organization", { op: "add", path: "/organization", value: { slug: "other" } }],
      ["/organization", { op: "replace", path: "/organization/slug", value: "other" }],
      ["/relationships", { op: "add", path: "/relationships", value: {} }],
      ["/relationships", { op: "remove", path: "/relationships/x" }],
      ["/id", { op: "copy", from: "/id", path: "/name" }],
      ["/created_at", { op: "move", from: "/created_at", path: "/description" }],
      ["/id", { op: "test", path: "/id", value: "x" }],
    ])("400: %s is read-only (%j)", async (pointer, operation) => {
      const created = await create();
      const response = await patch(created.slug, [operation]);
      expect(response.status).toBe(400);
      expect(response.body.detail).toBe(`Path '${pointer}' is read-only and cannot be patched`);
    });

    test("422: an unknown op fails the body schema (D2)", async () => {
      const created = await create();
      expect((await patch(created.slug, [{ op: "frobnicate", path: "/name", value: "x" }])).status).toBe(422);
    });

    test.each([
      ["replace at a missing path", [{ op: "replace", path: "/nope", value: "x" }], "Invalid patch"],
      ["remove at a missing path", [{ op: "remove", path: "/nope" }], "Invalid patch"],
      ["a path without a leading slash", [{ op: "replace", path: "name", value: "x" }], "Invalid patch"],
      ["add without a value", [{ op: "add", path: "/name" }], "Invalid patch"],
      ["move without from", [{ op: "move", path: "/name" }], "Invalid patch"],
      ["copy from a missing path", [{ op: "copy", from: "/nope", path: "/name" }], "Invalid patch"],
      ["the root path", [{ op: "replace", path: "", value: {} }], "Root path cannot be patched"],
      ["a prototype path", [{ op: "add", path: "/__proto__/polluted", value: 1 }], "Invalid patch"],
    ])("400 for %s", async (_case, operations, message) => {
      const created = await create();
      const response = await patch(created.slug, operations);
      expect(response.status).toBe(400);
      expect(response.body.detail).toStartWith(message);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test.each([
      ["a slug with a space", [{ op: "replace", path: "/slug", value: "Bad Slug" }], "slug"],
      ["a slug starting with -", [{ op: "replace", path: "/slug", value: "-x" }], "slug"],
      ["a 65-char slug", [{ op: "replace", path: "/slug", value: "x".repeat(65) }], "slug"],
      ["a numeric slug", [{ op: "replace", path: "/slug", value: 7 }], "slug"],
      ["an empty name", [{ op: "replace", path: "/name", value: "" }], "name"],
      ["a numeric name", [{ op: "replace", path: "/name", value: 5 }], "name"],
      ["a null name", [{ op: "replace", path: "/name", value: null }], "name"],
      ["a removed name", [{ op: "remove", path: "/name" }], "name"],
      ["a removed slug", [{ op: "remove", path: "/slug" }], "slug"],
      ["a name with NUL", [{ op: "replace", path: "/name", value: "a\u0000" }], "name"],
      ["an object description", [{ op: "replace", path: "/description", value: { a: 1 } }], "description"],
      ["null moved onto name", [{ op: "move", from: "/description", path: "/name" }], "name"],
    ])("422 when the patched document has %s", async (_case, operations, field) => {
      const created = await create();
      expect422(await patch(created.slug, operations), field);
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${created.slug}`)).body).toEqual(created);
    });

    test("422 for a body that is not a list of operations; 400 for malformed JSON", async () => {
      const created = await create();
      for (const bad of [{ op: "replace", path: "/name", value: "x" }, ["replace"], [{ path: "/name" }], [{ op: "add", path: 5 }], "null"]) {
        expect(await patch(created.slug, bad).then((r) => r.status)).toBe(422);
      }
      const malformed = await patch(created.slug, "[{");
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ detail: "Invalid JSON body" });
    });

    test("404 for an unknown entity or organization", async () => {
      const missing = await patch("nope", [{ op: "replace", path: "/name", value: "x" }]);
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toBe(`${c.label} with slug 'nope' not found`);
      const noOrg = await send(state.t, "PATCH", `${base("no-such-org")}/x`, [], state.cast.system.headers);
      expect(noOrg.status).toBe(404);
    });
  });

  describe(`DELETE /organizations/{org_slug}/${c.segment}/{slug}`, () => {
    test("204, then the entity is gone", async () => {
      const { t } = state;
      const created = await create();
      const deleted = await asAdmin("DELETE", `${base(state.cast.orgA.slug)}/${created.slug}`);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect((await asAdmin("GET", `${base(state.cast.orgA.slug)}/${created.slug}`)).status).toBe(404);
      expect(await t.infra.sql`select id from ${t.infra.sql(c.table)} where id = ${created.id}`).toHaveLength(0);
      expect((await asAdmin("DELETE", `${base(state.cast.orgA.slug)}/${created.slug}`)).status).toBe(404);
    });

    test("404 for an unknown entity (any slug shape) or organization", async () => {
      for (const slug of ["nope", "Bad%20Slug", "x".repeat(100)]) {
        const response = await asAdmin("DELETE", `${base(state.cast.orgA.slug)}/${slug}`);
        expect(response.status).toBe(404);
      }
      expect((await send(state.t, "DELETE", `${base("no-such-org")}/x`, undefined, state.cast.system.headers)).status).toBe(404);
    });

    if (c.block) {
      const block = c.block;
      test("409 naming the dependents while something depends on it; 204 once they are gone", async () => {
        const { t, cast } = state;
        const created = await create();
        const { unblock, words } = await block(t, cast.orgA.id, created.id);
        const refused = await asAdmin("DELETE", `${base(cast.orgA.slug)}/${created.slug}`);
        expect(refused.status).toBe(409);
        expect(refused.body.detail).toContain(created.slug);
        expect(refused.body.detail).toContain(words);
        expect((await asAdmin("GET", `${base(cast.orgA.slug)}/${created.slug}`)).status).toBe(200);
        await unblock();
        expect((await asAdmin("DELETE", `${base(cast.orgA.slug)}/${created.slug}`)).status).toBe(204);
      });
    }
  });

  accessSuite(c, state, base, body);
}
