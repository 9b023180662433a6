/** DEPENDS_ON: GET …/relationships, POST|DELETE …/relationships/{target_id} (§7.10). */
import { describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { createProjectCatalog, createProjectType, postProject, projectBody } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const rel = (method: "POST" | "DELETE", from: string, to: string, headers = w.cast.developerA.headers) =>
  send(w.t, method, `${w.base}/${from}/relationships/${to}`, undefined, headers);
const listing = (id: string, headers = w.cast.readonlyA.headers) => send(w.t, "GET", `${w.base}/${id}/relationships`, undefined, headers);

describe("POST /organizations/{org}/projects/{project_id}/relationships/{target_id}", () => {
  test("204, idempotent; counts appear on both projects", async () => {
    const [a, b] = [await w.create(), await w.create()];
    expect((await rel("POST", a.id, b.id)).status).toBe(204);
    expect((await rel("POST", a.id, b.id)).status).toBe(204);
    expect(await w.t.infra.sql`select 1 from project_dependencies where project_id = ${a.id}`).toHaveLength(1);
    const [ga, gb] = await Promise.all([a, b].map((p) => send(w.t, "GET", `${w.base}/${p.id}`, undefined, w.cast.readonlyA.headers)));
    expect(ga!.body.relationships).toMatchObject({ outbound_count: 1, inbound_count: 0 });
    expect(gb!.body.relationships).toMatchObject({ outbound_count: 0, inbound_count: 1 });
  });

  test("cycles are allowed (a → b → a)", async () => {
    const [a, b] = [await w.create(), await w.create()];
    expect((await rel("POST", a.id, b.id)).status).toBe(204);
    expect((await rel("POST", b.id, a.id)).status).toBe(204);
  });

  test("self → 400; unknown source or target → 404; a target in another organization → 404", async () => {
    const a = await w.create();
    expect(await rel("POST", a.id, a.id)).toMatchObject({ status: 400, body: { detail: "A project cannot depend on itself" } });
    expect(await rel("POST", a.id, "ghost")).toMatchObject({ status: 404, body: { detail: "Project 'ghost' not found" } });
    expect((await rel("POST", "ghost", a.id)).status).toBe(404);
    const other = await createProjectCatalog(w.t, w.cast.orgB.id);
    const inB = await postProject(w.t, w.cast.orgB.slug, w.cast.developerB.headers, projectBody(other));
    expect((await rel("POST", a.id, inB.id, w.cast.system.headers)).status).toBe(404);
    expect((await rel("POST", a.id, "a%00")).status).toBe(404);
  });

  test("401; 403 for another organization's admin and for readonly", async () => {
    const [a, b] = [await w.create(), await w.create()];
    expect((await rel("POST", a.id, b.id, {})).status).toBe(401);
    expect((await rel("POST", a.id, b.id, w.cast.adminB.headers)).status).toBe(403);
    expect((await rel("POST", a.id, b.id, w.cast.readonlyA.headers)).status).toBe(403);
  });
});

describe("DELETE /organizations/{org}/projects/{project_id}/relationships/{target_id}", () => {
  test("204 removes the edge; a second delete → 404 naming both ids", async () => {
    const [a, b] = [await w.create(), await w.create()];
    await rel("POST", a.id, b.id);
    expect((await rel("DELETE", a.id, b.id)).status).toBe(204);
    expect(await rel("DELETE", a.id, b.id)).toMatchObject({ status: 404, body: { detail: `Relationship from '${a.id}' to '${b.id}' not found` } });
    expect((await rel("DELETE", "ghost", b.id)).status).toBe(404);
    expect((await rel("DELETE", a.id, "x%00")).status).toBe(404);
  });

  test("the direction matters: b → a is not a → b", async () => {
    const [a, b] = [await w.create(), await w.create()];
    await rel("POST", a.id, b.id);
    expect((await rel("DELETE", b.id, a.id)).status).toBe(404);
  });

  test("401; 403 for another organization's admin and for readonly", async () => {
    const [a, b] = [await w.create(), await w.create()];
    await rel("POST", a.id, b.id);
    expect((await rel("DELETE", a.id, b.id, {})).status).toBe(401);
    expect((await rel("DELETE", a.id, b.id, w.cast.adminB.headers)).status).toBe(403);
    expect((await rel("DELETE", a.id, b.id, w.cast.readonlyA.headers)).status).toBe(403);
  });
});

describe("GET /organizations/{org}/projects/{project_id}/relationships", () => {
  test("inbound first, then by the other project's name; namespace, first type alphabetically, deprecated", async () => {
    const { catalog } = w;
    const aaa = await createProjectType(w.t, w.cast.orgA.id, { slug: "aaa-first", icon: "fa-first" });
    const center = await w.create({ name: "Center" });
    const zed = await w.create({ name: "Zed", project_type_slugs: [catalog.api.slug, aaa.slug] });
    const mid = await w.create({ name: "Mid" });
    const alpha = await w.create({ name: "alpha" });
    await w.t.infra.sql`update projects set attributes = '{"deprecated": "TRUE"}' where id = ${mid.id}`;
    await rel("POST", center.id, zed.id);
    await rel("POST", center.id, alpha.id);
    await rel("POST", mid.id, center.id);
    const sent = await listing(center.id);
    expect(sent.status).toBe(200);
    expect(sent.body.relationships).toEqual([
      { direction: "inbound", type: "depends_on", project: { id: mid.id, name: "Mid", slug: mid.slug, namespace: w.cast.orgA.slug, project_type: catalog.api.slug, project_type_icon: "fa-server", deprecated: true } },
      { direction: "outbound", type: "depends_on", project: expect.objectContaining({ id: alpha.id, deprecated: false }) },
      { direction: "outbound", type: "depends_on", project: expect.objectContaining({ id: zed.id, project_type: "aaa-first", project_type_icon: "fa-first" }) },
    ]);
  });

  test("a project without relationships → empty list; unknown → 404; 401; 403 for another organization", async () => {
    const p = await w.create();
    expect((await listing(p.id)).body).toEqual({ relationships: [] });
    expect((await listing("ghost")).status).toBe(404);
    expect((await listing(p.id, {})).status).toBe(401);
    expect((await listing(p.id, w.cast.developerB.headers)).status).toBe(403);
  });
});
