/**
 * /organizations/{org}/projects/{project_id}/services (reference-domain §10.2): EXISTS_IN
 * links between a project and its organization's integrations, with the dashboard URL kept
 * in the project's links; 404s, 409 when an identifier is another project's, 422 per field.
 */
import { describe, expect, test } from "bun:test";
import { projectsInIntegration, servicesByProject } from "../../../src/features/project-services/service.ts";
import { expect422 } from "../../helpers/catalog.ts";
import { insertIntegration } from "../webhooks/fixtures.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const project = (id = w.projectId) => w.as("GET", `${w.base}/${id}`);

describe("POST …/services/", () => {
  test("links the project: 201 with the integration's name; listed by integration name; the dashboard URL becomes a project link", async () => {
    const id = (await w.create()).id;
    const sonar = await w.as("POST", `${w.services(id)}/`, { integration_slug: w.sonar.slug, identifier: "acme_billing" });
    expect(sonar).toMatchObject({ status: 201, body: {
      integration_slug: w.sonar.slug, integration_name: "SonarQube", identifier: "acme_billing", canonical_url: null, dashboard_url: null,
    } });
    const github = await w.as("POST", `${w.services(id)}/`, {
      integration_slug: w.github.slug, identifier: "12345", canonical_url: "acme/billing", dashboard_url: "https://github.com",
    });
    expect(github.status).toBe(201);
    expect(github.body).toEqual({
      integration_slug: w.github.slug, integration_name: "GitHub", identifier: "12345", canonical_url: "acme/billing", dashboard_url: "https://github.com/",
    });
    const list = await w.as("GET", `${w.services(id)}/`, undefined, w.cast.readonlyA.headers);
    expect(list.status).toBe(200);
    expect(list.body.map((s: { integration_name: string }) => s.integration_name)).toEqual(["GitHub", "SonarQube"]);
    expect((await project(id)).body.links).toMatchObject({ [w.github.slug]: "https://github.com/" });
  });

  test("posting again replaces the identifier and URLs (the reference's upsert)", async () => {
    const id = (await w.create()).id;
    await w.as("POST", `${w.services(id)}/`, { integration_slug: w.github.slug, identifier: "1", canonical_url: "a" });
    const again = await w.as("POST", `${w.services(id)}/`, { integration_slug: w.github.slug, identifier: "2" });
    expect(again).toMatchObject({ status: 201, body: { identifier: "2", canonical_url: null } });
    expect((await w.as("GET", `${w.services(id)}/`)).body).toHaveLength(1);
  });

  test("404: unknown project, another organization's project, unknown integration, another organization's integration", async () => {
    const body = { integration_slug: w.github.slug, identifier: "x" };
    expect((await w.as("POST", `${w.services("nope")}/`, body)).status).toBe(404);
    const theirs = await insertIntegration(w.t, w.cast.orgB.id);
    const foreign = await w.as("POST", `${w.services()}/`, { integration_slug: theirs.slug, identifier: "x" });
    expect(foreign).toMatchObject({ status: 404, body: { detail: `Project '${w.projectId}' or integration '${theirs.slug}' not found` } });
    expect((await w.as("POST", `${w.services()}/`, { integration_slug: "nope", identifier: "x" })).status).toBe(404);
    const orgB = `/organizations/${w.cast.orgB.slug}/projects/${w.projectId}/services/`;
    expect((await w.as("POST", orgB, body, w.cast.adminB.headers)).status).toBe(404);
    expect((await w.as("GET", orgB, undefined, w.cast.adminB.headers)).status).toBe(404);
    expect((await w.as("GET", `/organizations/no-such-org/projects/${w.projectId}/services/`, undefined, w.cast.system.headers)).status).toBe(404);
  });

  test("409 when the identifier already belongs to another project in that integration; nothing changes", async () => {
    const [a, b] = [(await w.create()).id, (await w.create()).id];
    expect((await w.as("POST", `${w.services(a)}/`, { integration_slug: w.sonar.slug, identifier: "shared" })).status).toBe(201);
    const clash = await w.as("POST", `${w.services(b)}/`, { integration_slug: w.sonar.slug, identifier: "shared", dashboard_url: "https://s.io" });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain("shared");
    expect((await w.as("GET", `${w.services(b)}/`)).body).toEqual([]);
    expect((await project(b)).body.links[w.sonar.slug]).toBeUndefined();
    // The same identifier in another integration is no clash.
    expect((await w.as("POST", `${w.services(b)}/`, { integration_slug: w.github.slug, identifier: "shared" })).status).toBe(201);
  });

  const CASES: [string, unknown, string][] = [
    ["integration_slug missing", { identifier: "x" }, "body.integration_slug"],
    ["integration_slug empty", { integration_slug: "", identifier: "x" }, "body.integration_slug"],
    ["identifier missing", { integration_slug: "gh" }, "body.identifier"],
    ["identifier empty", { integration_slug: "gh", identifier: "" }, "body.identifier"],
    ["identifier a number", { integration_slug: "gh", identifier: 5 }, "body.identifier"],
    ["canonical_url a number", { integration_slug: "gh", identifier: "x", canonical_url: 1 }, "body.canonical_url"],
    ["dashboard_url not a URL", { integration_slug: "gh", identifier: "x", dashboard_url: "not a url" }, "body.dashboard_url"],
    ["dashboard_url not http(s)", { integration_slug: "gh", identifier: "x", dashboard_url: "javascript:alert(1)" }, "body.dashboard_url"],
    ["an unknown key", { integration_slug: "gh", identifier: "x", service_slug: "y" }, "body"],
    ["a NUL in the identifier", { integration_slug: "gh", identifier: "a\u0000" }, "body.identifier"],
    ["an array body", [{ integration_slug: "gh", identifier: "x" }], "body"],
  ];
  test.each(CASES)("422: %s", async (_, body, field) => {
    expect422(await w.as("POST", `${w.services()}/`, body), field);
  });

  test("malformed JSON is a 400", async () => {
    expect((await w.as("POST", `${w.services()}/`, "{nope")).status).toBe(400);
  });
});

describe("PUT …/services/{service_slug}", () => {
  test("changes an existing link; the path's integration wins; an empty dashboard URL removes the link", async () => {
    const id = (await w.create()).id;
    await w.as("POST", `${w.services(id)}/`, { integration_slug: w.github.slug, identifier: "put-1", dashboard_url: "https://gh.io/a" });
    const put = await w.as("PUT", `${w.services(id)}/${w.github.slug}`, {
      integration_slug: w.sonar.slug, identifier: "put-2", canonical_url: "c", dashboard_url: "https://gh.io/b",
    });
    expect(put).toMatchObject({ status: 200, body: { integration_slug: w.github.slug, identifier: "put-2", canonical_url: "c", dashboard_url: "https://gh.io/b" } });
    expect((await project(id)).body.links[w.github.slug]).toBe("https://gh.io/b");
    const cleared = await w.as("PUT", `${w.services(id)}/${w.github.slug}`, { integration_slug: w.github.slug, identifier: "put-2", dashboard_url: "" });
    expect(cleared.body).toMatchObject({ dashboard_url: null, canonical_url: null });
    expect((await project(id)).body.links[w.github.slug]).toBeUndefined();
    expect((await w.as("GET", `${w.services(id)}/`)).body).toEqual([cleared.body]);
  });

  test("404 without the link; 404 for an unknown project; 409 on another project's identifier; 422 on a bad body", async () => {
    const [a, b] = [(await w.create()).id, (await w.create()).id];
    const body = { integration_slug: w.github.slug, identifier: "9" };
    const missing = await w.as("PUT", `${w.services(a)}/${w.github.slug}`, body);
    expect(missing).toMatchObject({ status: 404, body: { detail: `EXISTS_IN link between project '${a}' and integration '${w.github.slug}' not found` } });
    expect((await w.as("PUT", `${w.services("nope")}/${w.github.slug}`, body)).status).toBe(404);
    expect((await w.as("PUT", `${w.services(a)}/nope`, body)).status).toBe(404);
    await w.as("POST", `${w.services(a)}/`, { integration_slug: w.github.slug, identifier: "taken-by-a" });
    await w.as("POST", `${w.services(b)}/`, body);
    expect((await w.as("PUT", `${w.services(b)}/${w.github.slug}`, { ...body, identifier: "taken-by-a" })).status).toBe(409);
    expect422(await w.as("PUT", `${w.services(b)}/${w.github.slug}`, { integration_slug: w.github.slug }), "body.identifier");
    expect422(await w.as("PUT", `${w.services(b)}/${w.github.slug}`, { ...body, dashboard_url: "ftp://x" }), "body.dashboard_url");
  });
});

describe("DELETE …/services/{service_slug}", () => {
  test("204 removes the link and its dashboard link; then 404; other links of the project stay", async () => {
    const id = (await w.create({ links: { docs: "https://docs.acme.io/" } })).id;
    await w.as("POST", `${w.services(id)}/`, { integration_slug: w.github.slug, identifier: "d1", dashboard_url: "https://gh.io/d" });
    expect((await w.as("DELETE", `${w.services(id)}/${w.github.slug}`)).status).toBe(204);
    expect((await w.as("GET", `${w.services(id)}/`)).body).toEqual([]);
    expect((await project(id)).body.links).toEqual({ docs: "https://docs.acme.io/" });
    expect((await w.as("DELETE", `${w.services(id)}/${w.github.slug}`)).status).toBe(404);
    expect((await w.as("DELETE", `${w.services("nope")}/${w.github.slug}`)).status).toBe(404);
  });

  test("D2: deleting the project removes its links; an integration a project exists in cannot be deleted from under it", async () => {
    const used = await insertIntegration(w.t, w.cast.orgA.id);
    const id = (await w.create()).id;
    await w.as("POST", `${w.services(id)}/`, { integration_slug: used.slug, identifier: "p" });
    await expect(w.t.infra.sql`delete from integrations where id = ${used.id}`).rejects.toThrow(/foreign key/);
    expect((await w.as("DELETE", `${w.base}/${id}`, undefined, w.cast.adminA.headers)).status).toBe(200);
    const [row] = await w.t.infra.sql<{ n: number }[]>`select count(*)::int as n from project_services where project_id = ${id}`;
    expect(row!.n).toBe(0);
  });
});

describe("lookups for the projects feature (service functions)", () => {
  test("servicesByProject: each project's services with its dashboard URL; projectsInIntegration: by integration and identifier", async () => {
    const [a, b, none] = [(await w.create()).id, (await w.create()).id, (await w.create()).id];
    await w.as("POST", `${w.services(a)}/`, { integration_slug: w.github.slug, identifier: "lookup-a", dashboard_url: "https://gh.io/a" });
    await w.as("POST", `${w.services(a)}/`, { integration_slug: w.sonar.slug, identifier: "lookup-a" });
    await w.as("POST", `${w.services(b)}/`, { integration_slug: w.github.slug, identifier: "lookup-b" });
    const map = await servicesByProject(w.t.infra.sql, [
      { id: a, links: { [w.github.slug]: "https://gh.io/a" } }, { id: b, links: {} }, { id: none, links: {} },
    ]);
    expect(map.get(a)).toEqual([
      { integration_slug: w.github.slug, integration_name: "GitHub", identifier: "lookup-a", canonical_url: null, dashboard_url: "https://gh.io/a" },
      { integration_slug: w.sonar.slug, integration_name: "SonarQube", identifier: "lookup-a", canonical_url: null, dashboard_url: null },
    ]);
    expect(map.get(b)).toHaveLength(1);
    expect(map.has(none)).toBe(false);
    expect((await servicesByProject(w.t.infra.sql, [])).size).toBe(0);
    const sql = w.t.infra.sql;
    expect((await projectsInIntegration(sql, w.cast.orgA.id, w.github.slug)).sort()).toEqual(expect.arrayContaining([a, b].sort()));
    expect(await projectsInIntegration(sql, w.cast.orgA.id, w.github.slug, "lookup-b")).toEqual([b]);
    expect(await projectsInIntegration(sql, w.cast.orgA.id, "nope")).toEqual([]);
    expect(await projectsInIntegration(sql, w.cast.orgB.id, w.github.slug)).toEqual([]);
    expect(await projectsInIntegration(sql, w.cast.orgA.id, "a\u0000")).toEqual([]);
  });
});

describe("the projects API shows services", () => {
  test("GET project and the project list carry each project's services; integration_slug / identifier filter the list", async () => {
    const [a, b] = [(await w.create()).id, (await w.create()).id];
    await w.as("POST", `${w.services(a)}/`, { integration_slug: w.github.slug, identifier: "wired-a", dashboard_url: "https://gh.io/wired" });
    await w.as("POST", `${w.services(b)}/`, { integration_slug: w.sonar.slug, identifier: "wired-b" });

    expect((await project(a)).body.services).toEqual([
      { integration_slug: w.github.slug, integration_name: "GitHub", identifier: "wired-a", canonical_url: null, dashboard_url: "https://gh.io/wired" },
    ]);
    const listed = await w.as("GET", `${w.base}/`);
    const byId = new Map((listed.body as { id: string; services: unknown[] }[]).map((p) => [p.id, p.services]));
    expect(byId.get(b)).toEqual([expect.objectContaining({ integration_slug: w.sonar.slug, identifier: "wired-b" })]);

    const inGithub = await w.as("GET", `${w.base}/?integration_slug=${w.github.slug}`);
    expect(inGithub.status).toBe(200);
    expect((inGithub.body as { id: string }[]).map((p) => p.id)).toContain(a);
    expect((inGithub.body as { id: string }[]).map((p) => p.id)).not.toContain(b);
    const exact = await w.as("GET", `${w.base}/?integration_slug=${w.github.slug}&identifier=wired-a`);
    expect((exact.body as { id: string }[]).map((p) => p.id)).toEqual([a]);
    expect((await w.as("GET", `${w.base}/?integration_slug=unknown-integration`)).body).toEqual([]);
  });
});
