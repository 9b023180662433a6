/** PATCH /organizations/{org}/projects/{project_id}: JSON Patch over the patchable document (§7.8). */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { createProjectCatalog } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const patch = (id: string, ops: unknown, headers = w.cast.developerA.headers) => send(w.t, "PATCH", `${w.base}/${id}`, ops, headers);

describe("PATCH /organizations/{org}/projects/{project_id}", () => {
  test("the A.2 example: team, an added type, an edge property, a removed environment, a passing test", async () => {
    const { catalog } = w;
    const p = await w.create();
    const sent = await patch(p.id, [
      { op: "replace", path: "/team_slug", value: catalog.otherTeam.slug },
      { op: "add", path: "/project_type_slugs/-", value: catalog.worker.slug },
      { op: "replace", path: `/environments/${catalog.production.slug}/url`, value: "https://billing2.example.com" },
      { op: "remove", path: `/environments/${catalog.staging.slug}` },
      { op: "replace", path: "/framework", value: null },
      { op: "test", path: "/slug", value: p.slug },
    ]);
    // replace of a path that does not exist is an invalid patch
    expect(sent.status).toBe(400);
    expect(sent.body.detail).toStartWith("Invalid patch");

    const ok = await patch(p.id, [
      { op: "replace", path: "/team_slug", value: catalog.otherTeam.slug },
      { op: "add", path: "/project_type_slugs/-", value: catalog.worker.slug },
      { op: "replace", path: `/environments/${catalog.production.slug}/url`, value: "https://billing2.example.com" },
      { op: "remove", path: `/environments/${catalog.staging.slug}` },
      { op: "add", path: "/framework", value: "FastAPI" },
      { op: "test", path: "/slug", value: p.slug },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      id: p.id, team: { slug: catalog.otherTeam.slug }, lifecycle_results: [], created_at: p.created_at,
      relationships: { team: { href: `/organizations/${w.cast.orgA.slug}/teams/${catalog.otherTeam.slug}` }, environments: { count: 1 } },
    });
    expect(ok.body.project_types.map((t: { slug: string }) => t.slug).sort()).toEqual([catalog.api.slug, catalog.worker.slug].sort());
    expect(ok.body.environments).toEqual([expect.objectContaining({ slug: catalog.production.slug, url: "https://billing2.example.com" })]);
    expect(ok.body.framework).toBeUndefined();
    expect(Date.parse(ok.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(p.updated_at));
    expect(await w.t.infra.sql`select 1 from project_environments where project_id = ${p.id}`).toHaveLength(1);
  });

  test("name, slug, description, icon, links and identifiers; null clears description and icon", async () => {
    const p = await w.create({ description: "old", icon: "fa-old" });
    const sent = await patch(p.id, [
      { op: "replace", path: "/name", value: "Renamed" },
      { op: "replace", path: "/slug", value: `${p.slug}-2` },
      { op: "replace", path: "/description", value: null },
      { op: "remove", path: "/icon" },
      { op: "add", path: "/links/docs", value: "https://docs.example.com" },
      { op: "replace", path: "/identifiers/pagerduty", value: 43 },
    ]);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      name: "Renamed", slug: `${p.slug}-2`, description: null, icon: null,
      links: { "github-repository": "https://github.com/acme/billing", docs: "https://docs.example.com/" },
      identifiers: { sonarqube: "acme_billing", pagerduty: 43 },
    });
    const removed = await patch(p.id, [{ op: "remove", path: "/links" }, { op: "remove", path: "/environments" }]);
    expect(removed.body).toMatchObject({ links: {}, environments: [] });
  });

  test("duplicate project types are collapsed; the current release of a kept environment survives", async () => {
    const { catalog } = w;
    const p = await w.create();
    await w.t.infra.sql`update project_environments set current_release_id = 'rel1', current_release_at = now()
      where project_id = ${p.id} and environment_id = ${catalog.production.id}`;
    const sent = await patch(p.id, [
      { op: "add", path: "/project_type_slugs/-", value: catalog.api.slug },
      { op: "add", path: `/environments/${catalog.production.slug}/replicas`, value: 3 },
      { op: "replace", path: `/environments/${catalog.production.slug}/current_release`, value: "forged" },
    ]);
    expect(sent.status).toBe(200);
    expect(sent.body.project_types).toHaveLength(1);
    expect(sent.body.environments.find((e: { slug: string }) => e.slug === catalog.production.slug)).toMatchObject({ current_release: "rel1", replicas: 3 });
  });

  test("an empty patch changes nothing but updated_at", async () => {
    const p = await w.create();
    const sent = await patch(p.id, []);
    expect(sent.status).toBe(200);
    const { updated_at: _a, lifecycle_results: _b, ...before } = p;
    expect(sent.body).toMatchObject(before);
  });

  test("a failed test → 422 in the D2 shape, and nothing changes", async () => {
    const p = await w.create();
    const sent = await patch(p.id, [{ op: "replace", path: "/name", value: "Changed" }, { op: "test", path: "/slug", value: "something-else" }]);
    expect422(sent);
    expect(sent.body.detail[0].msg).toStartWith("Patch test operation failed");
    expect((await send(w.t, "GET", `${w.base}/${p.id}`, undefined, w.cast.developerA.headers)).body.name).toBe(p.name);
  });

  test.each([
    ["/id"], ["/created_at"], ["/updated_at"], ["/relationships"], ["/relationships/team"], ["/archived"], ["/archived_at"],
    ["/team"], ["/project_types"], ["/score"], ["/organization"],
  ])("a path under read-only %s → 400", async (path) => {
    const p = await w.create();
    const sent = await patch(p.id, [{ op: "add", path, value: "x" }]);
    expect(sent.status).toBe(400);
    expect(sent.body.detail).toContain("read-only");
  });

  test.each([
    ["the root path", [{ op: "replace", path: "", value: {} }]],
    ["a path without a leading slash", [{ op: "replace", path: "name", value: "x" }]],
    ["replace of a missing key", [{ op: "replace", path: "/nothing/here", value: 1 }]],
    ["remove of a missing environment", [{ op: "remove", path: "/environments/nowhere" }]],
    ["move from a missing path", [{ op: "move", from: "/nope", path: "/name" }]],
    ["add without a value", [{ op: "add", path: "/description" }]],
    ["copy without from", [{ op: "copy", path: "/description" }]],
    ["an array index out of range", [{ op: "add", path: "/project_type_slugs/9", value: "x" }]],
  ])("%s → 400", async (_case, ops) => {
    const p = await w.create();
    const sent = await patch(p.id, ops);
    expect(sent.status).toBe(400);
    expect(typeof sent.body.detail).toBe("string");
  });

  test("an unknown op → 4xx (src/http/json-patch.ts decides which) and nothing changes", async () => {
    const p = await w.create();
    const sent = await patch(p.id, [{ op: "merge", path: "/name", value: "x" }]);
    expect([400, 422]).toContain(sent.status);
    expect((await send(w.t, "GET", `${w.base}/${p.id}`, undefined, w.cast.developerA.headers)).body.name).toBe(p.name);
  });

  test.each([
    ["a body that is not an array", { op: "replace", path: "/name", value: "x" }],
    ["an operation without a path", [{ op: "replace", value: "x" }]],
    ["a numeric path", [{ op: "replace", path: 1, value: "x" }]],
  ])("%s → 422", async (_case, ops) => {
    const p = await w.create();
    expect((await patch(p.id, ops)).status).toBe(422);
  });

  const invalidDocuments: [string, object[], string][] = [
    ["empty name", [{ op: "replace", path: "/name", value: "" }], "name"],
    ["removed name", [{ op: "remove", path: "/name" }], "name"],
    ["bad slug", [{ op: "replace", path: "/slug", value: "Not OK" }], "slug"],
    ["numeric description", [{ op: "replace", path: "/description", value: 5 }], "description"],
    ["removed team", [{ op: "remove", path: "/team_slug" }], "team_slug"],
    ["no project types", [{ op: "replace", path: "/project_type_slugs", value: [] }], "project_type_slugs"],
    ["environments as a list", [{ op: "replace", path: "/environments", value: [] }], "environments"],
    ["a link that is not a URL", [{ op: "add", path: "/links/docs", value: "docs" }], "links"],
    ["a boolean identifier", [{ op: "add", path: "/identifiers/x", value: false }], "identifiers"],
    ["a NUL in the name", [{ op: "replace", path: "/name", value: "a\u0000" }], "name"],
    ["a NUL in an edge property key", [{ op: "add", path: "/environments/x", value: { "k\u0000": 1 } }], "environments"],
  ];

  test.each(invalidDocuments)("a patched document with %s → 422 at the field", async (_case, ops, field) => {
    const p = await w.create();
    expect422(await patch(p.id, ops), field);
  });

  test("unknown team, project type or environment → 422 naming them", async () => {
    const p = await w.create();
    const sent = await patch(p.id, [
      { op: "replace", path: "/team_slug", value: "ghost" },
      { op: "add", path: "/project_type_slugs/-", value: "ghost-type" },
      { op: "add", path: "/environments/ghost-env", value: {} },
    ]);
    expect422(sent);
    expect(sent.body.detail.map((d: { msg: string }) => d.msg)).toEqual([
      `Team 'ghost' not found in organization '${w.cast.orgA.slug}'`,
      'Project type slug(s) not found: ["ghost-type"]',
      'Environment slug(s) not found: ["ghost-env"]',
    ]);
  });

  test("another organization's team → 422", async () => {
    const p = await w.create();
    const other = await createProjectCatalog(w.t, w.cast.orgB.id);
    expect422(await patch(p.id, [{ op: "replace", path: "/team_slug", value: other.team.slug }]), "team_slug");
  });

  test("a slug another project has → 409", async () => {
    const [a, b] = [await w.create(), await w.create()];
    const sent = await patch(b.id, [{ op: "replace", path: "/slug", value: a.slug }]);
    expect(sent.status).toBe(409);
    expect(sent.body.detail).toContain(`'${a.slug}'`);
  });

  test("concurrent patches apply one after the other (row lock): both additions survive", async () => {
    const p = await w.create({ links: {} });
    const results = await Promise.all(["a", "b", "c", "d"].map((key) => patch(p.id, [{ op: "add", path: `/links/${key}`, value: `https://${key}.example.com` }])));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const final = await send(w.t, "GET", `${w.base}/${p.id}`, undefined, w.cast.developerA.headers);
    expect(Object.keys(final.body.links).sort()).toEqual(["a", "b", "c", "d"]);
  });

  test("malformed JSON → 400", async () => {
    const p = await w.create();
    expect(await patch(p.id, "[{")).toMatchObject({ status: 400, body: { detail: "Invalid JSON body" } });
  });

  test("401 without credentials, 403 for another organization's admin and for readonly, 404 for an unknown id", async () => {
    const p = await w.create();
    const ops = [{ op: "replace", path: "/name", value: "x" }];
    expect((await patch(p.id, ops, {})).status).toBe(401);
    expect((await patch(p.id, ops, w.cast.adminB.headers)).status).toBe(403);
    expect((await patch(p.id, ops, w.cast.readonlyA.headers)).status).toBe(403);
    expect(await patch("nope", ops)).toMatchObject({ status: 404, body: { detail: "Project 'nope' not found" } });
  });
});
