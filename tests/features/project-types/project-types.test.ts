/** Project types beyond the shared suite: deployable/releasable, tag_formats, relationships, the delete rule. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, expect422, insertProject, insertTeam, randomSlug, send, type Cast } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const base = () => `/organizations/${cast.orgA.slug}/project-types`;
const create = (body: Record<string, unknown>) => send(t, "POST", `${base()}/`, { name: "Type", slug: randomSlug("pt"), ...body }, cast.adminA.headers);
const patch = (slug: string, operations: unknown) => send(t, "PATCH", `${base()}/${slug}`, operations, cast.adminA.headers);
const get = async (slug: string) => (await send(t, "GET", `${base()}/${slug}`, undefined, cast.adminA.headers)).body;

describe("deployable and releasable", () => {
  test("either alone is accepted; both at once is 422 on releasable", async () => {
    expect((await create({ deployable: true })).body).toMatchObject({ deployable: true, releasable: false });
    expect((await create({ releasable: true })).body).toMatchObject({ deployable: false, releasable: true });
    const both = await create({ deployable: true, releasable: true });
    expect422(both, "releasable");
    expect(both.body.detail[0].msg).toBe("A project type cannot be both deployable and releasable");
  });

  test("a PATCH making both true is 422 and changes nothing; swapping them in one patch is fine", async () => {
    const pt = (await create({ deployable: true })).body;
    expect422(await patch(pt.slug, [{ op: "replace", path: "/releasable", value: true }]), "releasable");
    expect(await get(pt.slug)).toMatchObject({ deployable: true, releasable: false });
    const swapped = await patch(pt.slug, [{ op: "replace", path: "/deployable", value: false }, { op: "replace", path: "/releasable", value: true }]);
    expect(swapped.status).toBe(200);
    expect(swapped.body).toMatchObject({ deployable: false, releasable: true });
  });
});

describe("tag_formats", () => {
  test("stored and returned; named groups (JavaScript syntax) compile", async () => {
    const formats = [{ label: "SemVer", pattern: "^v?(?<major>\\d+)\\.(\\d+)\\.(\\d+)$" }, { label: "Date", pattern: "^\\d{4}-\\d{2}-\\d{2}$" }];
    const pt = (await create({ tag_formats: formats })).body;
    expect(pt.tag_formats).toEqual(formats);
    expect((await get(pt.slug)).tag_formats).toEqual(formats);
    const [row] = await t.infra.sql`select tag_formats from project_types where id = ${pt.id}`;
    expect(row!.tag_formats).toEqual(formats);
  });

  test("PATCH: an added invalid regex, a non-array, an item without a label are 422; nothing changes", async () => {
    const pt = (await create({ tag_formats: [{ label: "v", pattern: "^v" }] })).body;
    const invalid = await patch(pt.slug, [{ op: "add", path: "/tag_formats/-", value: { label: "bad", pattern: "a{2,1}" } }]);
    expect422(invalid, "tag_formats.1.pattern");
    expect(invalid.body.detail[0]).toMatchObject({ loc: ["body", "tag_formats", 1, "pattern"], input: "a{2,1}" });
    expect422(await patch(pt.slug, [{ op: "replace", path: "/tag_formats", value: "^v" }]), "tag_formats");
    expect422(await patch(pt.slug, [{ op: "replace", path: "/tag_formats", value: null }]), "tag_formats");
    expect422(await patch(pt.slug, [{ op: "remove", path: "/tag_formats/0/label" }]), "tag_formats.0.label");
    expect((await get(pt.slug)).tag_formats).toEqual([{ label: "v", pattern: "^v" }]);
    const removed = await patch(pt.slug, [{ op: "remove", path: "/tag_formats" }]);
    expect(removed.body.tag_formats).toEqual([]);
  });
});

describe("project type relationships and delete", () => {
  test("projects counts project_project_types rows; delete is refused with 409 while any exist", async () => {
    const pt = (await create({})).body;
    const team = await insertTeam(t, cast.orgA.id);
    const p1 = await insertProject(t, { orgId: cast.orgA.id, teamId: team.id, projectTypeIds: [pt.id] });
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id, projectTypeIds: [pt.id] });
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id });
    expect((await get(pt.slug)).relationships).toEqual({
      projects: { href: `/organizations/${cast.orgA.slug}/projects?project_type=${pt.slug}`, count: 2 },
    });
    const refused = await send(t, "DELETE", `${base()}/${pt.slug}`, undefined, cast.adminA.headers);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: `Project type '${pt.slug}' still has 2 projects; remove or move them first` });
    await t.infra.sql`delete from project_project_types where project_type_id = ${pt.id}`;
    expect(await t.infra.sql`select 1 from projects where id = ${p1}`).toHaveLength(1);
    expect((await send(t, "DELETE", `${base()}/${pt.slug}`, undefined, cast.adminA.headers)).status).toBe(204);
  });

  test("list is ordered by name", async () => {
    for (const name of ["pt-m", "pt-a", "pt-z"]) await create({ name });
    const names: string[] = (await send(t, "GET", `${base()}/`, undefined, cast.adminA.headers)).body.map((x: { name: string }) => x.name);
    expect(names.filter((n) => n.startsWith("pt-"))).toEqual(["pt-a", "pt-m", "pt-z"]);
  });
});
