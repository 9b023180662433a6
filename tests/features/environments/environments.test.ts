/** Environments beyond the shared suite: defaults, label_color, ordering, relationships, the delete rule. */
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

/** Each test works in an organization of its own so that list order is exact. */
async function freshOrg() {
  const slug = randomSlug("org");
  const org = (await send(t, "POST", "/organizations/", { name: slug, slug }, cast.adminA.headers)).body;
  const base = `/organizations/${slug}/environments`;
  const create = async (body: Record<string, unknown>) => {
    const response = await send(t, "POST", `${base}/`, { slug: randomSlug("env"), ...body }, cast.adminA.headers);
    expect(response.status).toBe(201);
    return response.body;
  };
  const patch = (slug: string, operations: unknown) => send(t, "PATCH", `${base}/${slug}`, operations, cast.adminA.headers);
  const list = async () => (await send(t, "GET", `${base}/`, undefined, cast.adminA.headers)).body as { name: string; sort_order: number }[];
  return { org, base, create, patch, list };
}

describe("environment fields", () => {
  test("defaults: sort_order 0, label_color null, can_deploy true, can_promote false; explicit values are kept", async () => {
    const { create } = await freshOrg();
    expect(await create({ name: "Dev" })).toMatchObject({ sort_order: 0, label_color: null, can_deploy: true, can_promote: false });
    expect(await create({ name: "Prod", sort_order: 30, label_color: "#dc2626", can_deploy: false, can_promote: true, icon: "fa-rocket" }))
      .toMatchObject({ sort_order: 30, label_color: "#dc2626", can_deploy: false, can_promote: true, icon: "fa-rocket" });
    expect(await create({ name: "Neg", sort_order: -5, label_color: null })).toMatchObject({ sort_order: -5, label_color: null });
  });

  test("PATCH: label_color is validated; removing a field restores its default", async () => {
    const { create, patch } = await freshOrg();
    const env = await create({ name: "Staging", sort_order: 20, label_color: "#ABCDEF", can_deploy: false, can_promote: true });
    expect422(await patch(env.slug, [{ op: "replace", path: "/label_color", value: "#ABC" }]), "label_color");
    expect422(await patch(env.slug, [{ op: "replace", path: "/label_color", value: "blue" }]), "label_color");
    expect422(await patch(env.slug, [{ op: "replace", path: "/sort_order", value: "3" }]), "sort_order");
    expect422(await patch(env.slug, [{ op: "replace", path: "/sort_order", value: 2 ** 40 }]), "sort_order");
    expect422(await patch(env.slug, [{ op: "replace", path: "/can_deploy", value: null }]), "can_deploy");
    const colored = await patch(env.slug, [{ op: "replace", path: "/label_color", value: "#00ff00" }]);
    expect(colored.body.label_color).toBe("#00ff00");
    const reset = await patch(env.slug, ["/label_color", "/sort_order", "/can_deploy", "/can_promote"].map((path) => ({ op: "remove", path })));
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ label_color: null, sort_order: 0, can_deploy: true, can_promote: false });
  });
});

describe("GET /organizations/{org_slug}/environments/", () => {
  test("ordered by sort_order, then name", async () => {
    const { create, list } = await freshOrg();
    await create({ name: "Beta", sort_order: 10 });
    await create({ name: "Alpha", sort_order: 10 });
    await create({ name: "Zulu", sort_order: -1 });
    await create({ name: "Mike" });
    await create({ name: "Production", sort_order: 30 });
    expect((await list()).map((e) => e.name)).toEqual(["Zulu", "Mike", "Alpha", "Beta", "Production"]);
  });

  test("a sort_order PATCH reorders the list", async () => {
    const { create, patch, list } = await freshOrg();
    const first = await create({ name: "First", sort_order: 1 });
    await create({ name: "Second", sort_order: 2 });
    await patch(first.slug, [{ op: "replace", path: "/sort_order", value: 3 }]);
    expect((await list()).map((e) => e.name)).toEqual(["Second", "First"]);
  });
});

describe("environment relationships and delete", () => {
  test("projects counts project_environments rows; delete is refused with 409 while any exist", async () => {
    const { org, base, create } = await freshOrg();
    const env = await create({ name: "Prod" });
    const other = await create({ name: "Other" });
    const team = await insertTeam(t, org.id);
    const p1 = await insertProject(t, { orgId: org.id, teamId: team.id, environmentIds: [env.id, other.id] });
    await insertProject(t, { orgId: org.id, teamId: team.id, environmentIds: [env.id] });
    const fetched = await send(t, "GET", `${base}/${env.slug}`, undefined, cast.adminA.headers);
    expect(fetched.body.relationships).toEqual({ projects: { href: `/organizations/${org.slug}/projects?environment=${env.slug}`, count: 2 } });
    const refused = await send(t, "DELETE", `${base}/${env.slug}`, undefined, cast.adminA.headers);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: `Environment '${env.slug}' still has 2 projects deployed in it; remove or move them first` });
    expect(await t.infra.sql`select 1 from project_environments where environment_id = ${env.id}`).toHaveLength(2);
    await t.infra.sql`delete from project_environments where project_id = ${p1} and environment_id = ${other.id}`;
    expect((await send(t, "DELETE", `${base}/${other.slug}`, undefined, cast.adminA.headers)).status).toBe(204);
  });
});
