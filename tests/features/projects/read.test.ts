/** GET /organizations/{org}/projects/ (filters, archived, slim, order) and GET /{project_id}. */
import { beforeAll, describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { createEnvironment, createProjectCatalog, createTeam, insertDependency, projectBody, postProject } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
/** Projects of org A by role in these tests. */
const p = {} as Record<"alpha" | "beta" | "gamma" | "archived", Record<string, any>>;

beforeAll(async () => {
  const { catalog } = w;
  p.gamma = await w.create({ name: "Gamma", project_type_slugs: [catalog.worker.slug], environments: {} });
  p.alpha = await w.create({ name: "Alpha", environments: { [catalog.production.slug]: { url: "https://a.example.com" } } });
  p.beta = await w.create({ name: "beta", team_slug: catalog.otherTeam.slug, project_type_slugs: [catalog.api.slug, catalog.worker.slug] });
  p.archived = await w.create({ name: "Archived" });
  expect((await send(w.t, "POST", `${w.base}/${p.archived.id}/archive`, undefined, w.cast.developerA.headers)).status).toBe(200);
  await insertDependency(w.t, p.alpha.id, p.beta.id);
  await insertDependency(w.t, p.gamma.id, p.beta.id);
});

const names = (body: { name: string }[]) => body.map((project) => project.name);
const list = async (query = "", headers = w.cast.readonlyA.headers) => send(w.t, "GET", `${w.base}/${query}`, undefined, headers);

describe("GET /organizations/{org}/projects/", () => {
  test("every unarchived project of the organization, by name, in the full shape", async () => {
    const sent = await list();
    expect(sent.status).toBe(200);
    expect(names(sent.body)).toEqual(["Alpha", "beta", "Gamma"]);
    const alpha = sent.body[0];
    const single = await send(w.t, "GET", `${w.base}/${p.alpha.id}`, undefined, w.cast.readonlyA.headers);
    expect(alpha).toEqual(single.body);
    expect(alpha.relationships).toMatchObject({ outbound_count: 1, inbound_count: 0 });
    expect(sent.body[1].relationships).toMatchObject({ outbound_count: 0, inbound_count: 2 });
    expect(alpha).not.toContainKey("lifecycle_results");
    // the list is serialized by the route itself: the shared headers still apply
    expect(sent.headers.get("content-type")).toStartWith("application/json");
    expect(sent.headers.get("x-request-id")).toBeTruthy();
  });

  test("answers without the trailing slash too", async () => {
    const sent = await send(w.t, "GET", w.base, undefined, w.cast.readonlyA.headers);
    expect(sent.status).toBe(200);
    expect(names(sent.body)).toEqual(["Alpha", "beta", "Gamma"]);
  });

  test("include_archived=true adds archived projects", async () => {
    expect(names((await list("?include_archived=true")).body)).toEqual(["Alpha", "Archived", "beta", "Gamma"]);
    expect(names((await list("?include_archived=false")).body)).toEqual(["Alpha", "beta", "Gamma"]);
  });

  test("?team= filters by owning team (the href teams advertise)", async () => {
    expect(names((await list(`?team=${w.catalog.otherTeam.slug}`)).body)).toEqual(["beta"]);
    const team = await send(w.t, "GET", `/organizations/${w.cast.orgA.slug}/teams/${w.catalog.otherTeam.slug}`, undefined, w.cast.readonlyA.headers);
    expect(team.body.relationships.projects).toEqual({ href: `${w.base}?team=${w.catalog.otherTeam.slug}`, count: 1 });
    const followed = await send(w.t, "GET", team.body.relationships.projects.href, undefined, w.cast.readonlyA.headers);
    expect(names(followed.body)).toEqual(["beta"]);
  });

  test("?project_type= (and the reference's ?project-type=) filter by type", async () => {
    expect(names((await list(`?project_type=${w.catalog.worker.slug}`)).body)).toEqual(["beta", "Gamma"]);
    expect(names((await list(`?project-type=${w.catalog.worker.slug}`)).body)).toEqual(["beta", "Gamma"]);
    const type = await send(w.t, "GET", `/organizations/${w.cast.orgA.slug}/project-types/${w.catalog.worker.slug}`, undefined, w.cast.readonlyA.headers);
    expect(names((await send(w.t, "GET", type.body.relationships.projects.href, undefined, w.cast.readonlyA.headers)).body)).toEqual(["beta", "Gamma"]);
  });

  test("?environment= filters by deployment; filters combine with AND", async () => {
    const { production, staging } = w.catalog;
    expect(names((await list(`?environment=${production.slug}`)).body)).toEqual(["Alpha", "beta"]);
    expect(names((await list(`?environment=${staging.slug}`)).body)).toEqual(["beta"]);
    expect(names((await list(`?environment=${production.slug}&team=${w.catalog.team.slug}`)).body)).toEqual(["Alpha"]);
    expect(names((await list(`?environment=${production.slug}&project_type=${w.catalog.worker.slug}&include_archived=true`)).body)).toEqual(["beta"]);
    const env = await send(w.t, "GET", `/organizations/${w.cast.orgA.slug}/environments/${production.slug}`, undefined, w.cast.readonlyA.headers);
    expect(names((await send(w.t, "GET", env.body.relationships.projects.href, undefined, w.cast.readonlyA.headers)).body)).toEqual(["Alpha", "beta"]);
  });

  test("an unknown (or other organization's) slug in a filter → empty list", async () => {
    const other = await createProjectCatalog(w.t, w.cast.orgB.id);
    expect((await list("?team=nobody")).body).toEqual([]);
    expect((await list("?environment=nowhere")).body).toEqual([]);
    expect((await list(`?project_type=${other.api.slug}`)).body).toEqual([]);
    expect((await list("?team=a%00b")).body).toEqual([]);
  });

  test("slim=true answers ProjectListItem", async () => {
    const sent = await list("?slim=true");
    expect(sent.status).toBe(200);
    expect(sent.body[1]).toEqual({
      id: p.beta.id, name: "beta", slug: p.beta.slug, description: null, archived: false, score: null,
      team: { name: "Platform", slug: w.catalog.otherTeam.slug },
      project_types: [
        { name: "Consumer", slug: w.catalog.worker.slug, deployable: false, releasable: false },
        { name: "HTTP API", slug: w.catalog.api.slug, deployable: true, releasable: false },
      ],
      environments: [
        { name: "Staging", slug: w.catalog.staging.slug, label_color: null, sort_order: 20 },
        { name: "Production", slug: w.catalog.production.slug, label_color: "#DC2626", sort_order: 30 },
      ],
      open_pr_count: 0, closed_pr_count: 0, viewer_open_pr_count: 0, viewer_closed_pr_count: 0, current_releases: {},
    });
  });

  test("only the organization's projects; another organization's list is its own", async () => {
    const otherCatalog = await createProjectCatalog(w.t, w.cast.orgB.id);
    await postProject(w.t, w.cast.orgB.slug, w.cast.developerB.headers, projectBody(otherCatalog, { name: "Zeta" }));
    expect(names((await list()).body)).not.toContain("Zeta");
    const inB = await send(w.t, "GET", `/organizations/${w.cast.orgB.slug}/projects/`, undefined, w.cast.developerB.headers);
    expect(names(inB.body)).toEqual(["Zeta"]);
  });

  test.each([
    ["include_archived=maybe"], ["slim=2"], [`team=${"x".repeat(300)}`],
  ])("?%s → 422", async (query) => {
    const sent = await list(`?${query}`);
    expect(sent.status).toBe(422);
    expect(Array.isArray(sent.body.detail)).toBe(true);
  });

  test("no credentials → 401 (before any validation); another organization's member → 403; unknown organization → 404 (admin)", async () => {
    expect((await list("", {})).status).toBe(401);
    expect((await list("?include_archived=maybe", {})).status).toBe(401);
    expect((await list("", w.cast.adminB.headers)).status).toBe(403);
    const missing = await send(w.t, "GET", "/organizations/nope/projects/", undefined, w.cast.system.headers);
    expect(missing.status).toBe(404);
  });

  test("projects in a new team and environment show up with their counts", async () => {
    const team = await createTeam(w.t, w.cast.orgA.id, { name: "Zulu team" });
    const env = await createEnvironment(w.t, w.cast.orgA.id, { name: "QA", sort_order: 5 });
    const created = await w.create({ name: "Zulu", team_slug: team.slug, environments: { [env.slug]: { replicas: 2 } } });
    const sent = await list(`?team=${team.slug}`);
    expect(sent.body).toHaveLength(1);
    expect(sent.body[0]).toMatchObject({ id: created.id, environments: [{ slug: env.slug, name: "QA", replicas: 2 }], relationships: { environments: { count: 1 } } });
  });
});

describe("GET /organizations/{org}/projects/{project_id}", () => {
  test("the project, with edge properties flattened into its environments", async () => {
    const sent = await send(w.t, "GET", `${w.base}/${p.alpha.id}`, undefined, w.cast.readonlyA.headers);
    expect(sent.status).toBe(200);
    const { lifecycle_results: _, ...created } = p.alpha;
    expect(sent.body).toMatchObject({ ...created, relationships: { ...created.relationships, outbound_count: 1 } });
    expect(sent.body.environments).toEqual([expect.objectContaining({ slug: w.catalog.production.slug, url: "https://a.example.com" })]);
  });

  test("archived projects are still readable", async () => {
    const sent = await send(w.t, "GET", `${w.base}/${p.archived.id}`, undefined, w.cast.readonlyA.headers);
    expect(sent.body).toMatchObject({ archived: true });
    expect(Date.parse(sent.body.archived_at)).toBeGreaterThan(0);
  });

  test("shows the current release of an environment once releases set it", async () => {
    await w.t.infra.sql`update project_environments set current_release_id = 'rel123', current_release_at = '2026-07-21T12:09:00Z'
      where project_id = ${p.alpha.id}`;
    const sent = await send(w.t, "GET", `${w.base}/${p.alpha.id}`, undefined, w.cast.readonlyA.headers);
    expect(sent.body.environments[0]).toMatchObject({ current_release: "rel123", current_release_at: "2026-07-21T12:09:00.000Z" });
  });

  test("unknown id, an id of another organization's project, or an unstorable id → 404", async () => {
    const missing = await send(w.t, "GET", `${w.base}/nope`, undefined, w.cast.readonlyA.headers);
    expect(missing).toMatchObject({ status: 404, body: { detail: "Project 'nope' not found" } });
    const otherCatalog = await createProjectCatalog(w.t, w.cast.orgB.id);
    const inB = await postProject(w.t, w.cast.orgB.slug, w.cast.developerB.headers, projectBody(otherCatalog));
    expect((await send(w.t, "GET", `${w.base}/${inB.id}`, undefined, w.cast.system.headers)).status).toBe(404);
    expect((await send(w.t, "GET", `${w.base}/a%00b`, undefined, w.cast.readonlyA.headers)).status).toBe(404);
  });

  test("no credentials → 401; a member of another organization → 403 even for an existing project", async () => {
    expect((await send(w.t, "GET", `${w.base}/${p.alpha.id}`)).status).toBe(401);
    expect((await send(w.t, "GET", `${w.base}/${p.alpha.id}`, undefined, w.cast.developerB.headers)).status).toBe(403);
  });
});
