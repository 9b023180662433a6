/** Tags beyond the shared suite: the slug derived from the name, the documents relationship. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, expect422, send, type Cast } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const base = () => `/organizations/${cast.orgA.slug}/tags`;
const create = (body: Record<string, unknown>) => send(t, "POST", `${base()}/`, body, cast.adminA.headers);

describe("POST /organizations/{org_slug}/tags/: slug from the name", () => {
  test.each([
    ["Hello World", "hello-world"],
    ["  Runbook!! ", "runbook"],
    ["Café Crème", "cafe-creme"],
    ["C++ & Go", "c-go"],
    ["snake_case", "snake-case"],
    ["2024 Q1", "2024-q1"],
  ])("%s → %s", async (name, slug) => {
    const created = await create({ name });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, slug });
  });

  test("a long name gives a slug of at most 64 characters", async () => {
    const created = await create({ name: `${"Long ".repeat(30)}Name` });
    expect(created.status).toBe(201);
    expect(created.body.slug.length).toBeLessThanOrEqual(64);
    expect(created.body.slug).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });

  test("an explicit slug wins; a derived slug that is taken is 409", async () => {
    expect((await create({ name: "Explicit Name", slug: "explicit_slug" })).body.slug).toBe("explicit_slug");
    expect((await create({ name: "Clash Me" })).status).toBe(201);
    const clash = await create({ name: "clash me" });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ detail: "Tag with slug 'clash-me' already exists" });
  });

  test.each(["!!!", "---", "日本語", "  "])("422 on slug when no slug can be derived from %p", async (name) => {
    expect422(await create({ name }), "slug");
  });

  test("tags have no icon; a PATCH of the name keeps the slug", async () => {
    const created = (await create({ name: "Iconless", icon: "fa-x" })).body;
    expect(created).not.toHaveProperty("icon");
    const renamed = await send(t, "PATCH", `${base()}/${created.slug}`, [{ op: "replace", path: "/name", value: "Other Name" }], cast.adminA.headers);
    expect(renamed.body).toMatchObject({ name: "Other Name", slug: "iconless" });
  });

  test("relationships.documents: href to the tag's documents, count 0", async () => {
    const created = (await create({ name: "Docs" })).body;
    expect(created.relationships).toEqual({ documents: { href: `/organizations/${cast.orgA.slug}/tags/docs/documents`, count: 0 } });
  });

  test("list is ordered by name", async () => {
    for (const name of ["order m", "order a", "order z"]) await create({ name });
    const names: string[] = (await send(t, "GET", base(), undefined, cast.readonlyA.headers)).body.map((x: { name: string }) => x.name);
    expect(names.filter((n) => n.startsWith("order "))).toEqual(["order a", "order m", "order z"]);
  });
});
