/** POST /organizations/{org}/projects/: the §7.3 response, references, conflicts, malformed bodies. */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { projectBody } from "../../helpers/catalog-factories.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();

describe("POST /organizations/{org}/projects/", () => {
  test("creates the project with its team, types and environments (A.1 shape)", async () => {
    const { catalog, cast } = w;
    const body = projectBody(catalog, { project_type_slugs: [catalog.api.slug, catalog.api.slug] });
    const sent = await send(w.t, "POST", `${w.base}/`, body, cast.developerA.headers);
    expect(sent.status).toBe(201);
    const p = sent.body;
    expect(p.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(p).toMatchObject({
      name: body.name, slug: body.slug, description: null, icon: null, archived: false, archived_at: null,
      team: { slug: catalog.team.slug, name: "Payments", organization: { id: cast.orgA.id, slug: cast.orgA.slug } },
      links: { "github-repository": "https://github.com/acme/billing" },
      identifiers: { sonarqube: "acme_billing", pagerduty: 42 },
      services: [], score: null, current_releases: {}, lifecycle_results: [],
      open_pr_count: 0, closed_pr_count: 0, viewer_open_pr_count: 0, viewer_closed_pr_count: 0,
      relationships: {
        team: { href: `/organizations/${cast.orgA.slug}/teams/${catalog.team.slug}`, count: 1 },
        environments: { href: `/organizations/${cast.orgA.slug}/projects/${p.id}/environments`, count: 2 },
        href: `/organizations/${cast.orgA.slug}/projects/${p.id}/relationships`,
        outbound_count: 0, inbound_count: 0,
      },
    });
    // de-duplicated; each with its organization
    expect(p.project_types.map((pt: { slug: string }) => pt.slug)).toEqual([catalog.api.slug]);
    expect(p.project_types[0]).toMatchObject({ name: "HTTP API", deployable: true, releasable: false, organization: { slug: cast.orgA.slug } });
    // environments by sort_order, edge properties flattened in
    expect(p.environments.map((e: { slug: string }) => e.slug)).toEqual([catalog.staging.slug, catalog.production.slug]);
    expect(p.environments[1]).toMatchObject({ name: "Production", label_color: "#DC2626", sort_order: 30, url: "https://billing.example.com" });
    expect(p.environments[0].url).toBeUndefined();
    expect(p.created_at).toBe(p.updated_at);
    expect(Date.parse(p.created_at)).toBeGreaterThan(Date.now() - 60_000);
    const [row] = await w.t.infra.sql`select organization_id, team_id from projects where id = ${p.id}`;
    expect(row).toEqual({ organization_id: cast.orgA.id, team_id: catalog.team.id });
  });

  test("keeps project types in the order given, drops unknown keys, protected edge keys and null edge values", async () => {
    const { catalog } = w;
    const p = await w.create({
      project_type_slugs: [catalog.worker.slug, catalog.api.slug], framework: "FastAPI", id: "chosen-by-client", archived: true,
      environments: { [catalog.production.slug]: { url: "https://x.example.com", name: "Hijack", sort_order: 1, gone: null, current_release: "r1" } },
    });
    expect(p.id).not.toBe("chosen-by-client");
    expect(p.framework).toBeUndefined();
    expect(p.archived).toBe(false);
    expect(p.project_types).toHaveLength(2);
    expect(p.environments[0]).toMatchObject({ name: "Production", sort_order: 30, url: "https://x.example.com" });
    expect(p.environments[0]).not.toContainKey("gone");
    expect(p.environments[0]).not.toContainKey("current_release");
    const [edge] = await w.t.infra.sql`select properties, current_release_id from project_environments where project_id = ${p.id}`;
    expect(edge).toEqual({ properties: { url: "https://x.example.com" }, current_release_id: null });
  });

  test("normalizes link URLs as the reference's HttpUrl does", async () => {
    const p = await w.create({ links: { docs: "https://Docs.Example.com", repo: "http://git.example.com/a/b?x=1" } });
    expect(p.links).toEqual({ docs: "https://docs.example.com/", repo: "http://git.example.com/a/b?x=1" });
  });

  test("optional fields may be omitted; description and icon are kept", async () => {
    const { catalog } = w;
    const p = await w.create({ environments: undefined, links: undefined, identifiers: undefined, description: "Bills", icon: "fa-money" });
    expect(p).toMatchObject({ description: "Bills", icon: "fa-money", environments: [], links: {}, identifiers: {} });
    expect(p.team.slug).toBe(catalog.team.slug);
  });

  test("emits project.created with the actor", async () => {
    const seen: DomainEvent[] = [];
    w.t.ctx.events.subscribe((event) => void seen.push(event));
    const p = await w.create();
    expect(seen.find((e) => e.type === "project.created")).toMatchObject({
      outcome: "success", actor_id: w.cast.developerA.user.id, detail: { project_id: p.id, organization: w.cast.orgA.slug },
    });
  });

  test("a slug already used in the organization → 409 naming the slug; other organizations may reuse it", async () => {
    const p = await w.create();
    const again = await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog, { slug: p.slug }), w.cast.developerA.headers);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(`'${p.slug}'`);
    expect(again.body.detail).toContain("slug");
    const { createProjectCatalog } = await import("../../helpers/catalog-factories.ts");
    const other = await createProjectCatalog(w.t, w.cast.orgB.id);
    const inB = await send(w.t, "POST", `/organizations/${w.cast.orgB.slug}/projects/`, projectBody(other, { slug: p.slug }), w.cast.developerB.headers);
    expect(inB.status).toBe(201);
  });

  test("nothing is written when a reference is unknown (one transaction)", async () => {
    const body = projectBody(w.catalog, { environments: { nowhere: {} } });
    expect422(await send(w.t, "POST", `${w.base}/`, body, w.cast.developerA.headers), "environments");
    expect(await w.t.infra.sql`select 1 from projects where slug = ${body.slug as string}`).toHaveLength(0);
  });

  test("unknown team, project types and environments → one 422 naming each", async () => {
    const sent = await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog, {
      team_slug: "ghost-team", project_type_slugs: [w.catalog.api.slug, "ghost-type", "other-ghost"], environments: { "ghost-env": {} },
    }), w.cast.developerA.headers);
    expect422(sent);
    const byField = Object.fromEntries(sent.body.detail.map((d: { loc: string[]; msg: string }) => [d.loc.join("."), d.msg]));
    expect(byField["body.team_slug"]).toBe(`Team 'ghost-team' not found in organization '${w.cast.orgA.slug}'`);
    expect(byField["body.project_type_slugs"]).toBe('Project type slug(s) not found: ["ghost-type","other-ghost"]');
    expect(byField["body.environments"]).toBe('Environment slug(s) not found: ["ghost-env"]');
  });

  test("a team, type or environment of another organization is unknown here → 422", async () => {
    const { createProjectCatalog } = await import("../../helpers/catalog-factories.ts");
    const other = await createProjectCatalog(w.t, w.cast.orgB.id);
    expect422(await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog, { team_slug: other.team.slug }), w.cast.developerA.headers), "team_slug");
    expect422(await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog, { project_type_slugs: [other.api.slug] }), w.cast.developerA.headers), "project_type_slugs");
    expect422(await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog, { environments: { [other.production.slug]: {} } }), w.cast.developerA.headers), "environments");
  });

  test("an unknown organization → 404 for an admin", async () => {
    const sent = await send(w.t, "POST", "/organizations/no-such-org/projects/", projectBody(w.catalog), w.cast.system.headers);
    expect(sent.status).toBe(404);
    expect(sent.body.detail).toBe("Organization with slug 'no-such-org' not found");
  });

  test("malformed JSON → 400; no body → 4xx", async () => {
    const bad = await send(w.t, "POST", `${w.base}/`, "{not json", w.cast.developerA.headers);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: "Invalid JSON body" });
    const none = await send(w.t, "POST", `${w.base}/`, undefined, w.cast.developerA.headers);
    expect(none.status).toBeGreaterThanOrEqual(400);
    expect(none.status).toBeLessThan(500);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ["missing name", { name: undefined }, "name"],
    ["empty name", { name: "" }, "name"],
    ["numeric name", { name: 3 }, "name"],
    ["name over 255 chars", { name: "n".repeat(256) }, "name"],
    ["name with NUL", { name: "a\u0000b" }, "name"],
    ["missing slug", { slug: undefined }, "slug"],
    ["upper-case slug", { slug: "Billing" }, "slug"],
    ["slug with a space", { slug: "a b" }, "slug"],
    ["slug starting with -", { slug: "-a" }, "slug"],
    ["slug of 65 chars", { slug: "a".repeat(65) }, "slug"],
    ["null slug", { slug: null }, "slug"],
    ["numeric description", { description: 4 }, "description"],
    ["description with a lone surrogate", { description: "\ud800" }, "description"],
    ["object icon", { icon: { url: "x" } }, "icon"],
    ["missing team_slug", { team_slug: undefined }, "team_slug"],
    ["empty team_slug", { team_slug: "" }, "team_slug"],
    ["numeric team_slug", { team_slug: 1 }, "team_slug"],
    ["missing project_type_slugs", { project_type_slugs: undefined }, "project_type_slugs"],
    ["empty project_type_slugs", { project_type_slugs: [] }, "project_type_slugs"],
    ["project_type_slugs as a string", { project_type_slugs: "http-api" }, "project_type_slugs"],
    ["numeric project type slug", { project_type_slugs: [1] }, "project_type_slugs"],
    ["environments as a list", { environments: ["production"] }, "environments"],
    ["environment properties as a string", { environments: { production: "yes" } }, "environments"],
    ["environment property key with NUL", { environments: { production: { "a\u0000": 1 } } }, "environments"],
    ["links as a list", { links: ["https://a.io"] }, "links"],
    ["link that is not a URL", { links: { docs: "not a url" } }, "links"],
    ["ftp link", { links: { docs: "ftp://files.example.com" } }, "links"],
    ["link without a host", { links: { docs: "http://" } }, "links"],
    ["numeric link", { links: { docs: 5 } }, "links"],
    ["boolean identifier", { identifiers: { jira: true } }, "identifiers"],
    ["float identifier", { identifiers: { jira: 1.5 } }, "identifiers"],
    ["object identifier", { identifiers: { jira: { id: 1 } } }, "identifiers"],
    ["identifier with NUL", { identifiers: { jira: "\u0000" } }, "identifiers"],
  ];

  test.each(invalid)("%s → 422 located at the field", async (_case, fields, field) => {
    const body = projectBody(w.catalog, fields);
    for (const [key, value] of Object.entries(fields)) if (value === undefined) delete body[key];
    const sent = await send(w.t, "POST", `${w.base}/`, body, w.cast.developerA.headers);
    expect422(sent, field);
  });
});

describe("POST /organizations/{org}/projects/ access", () => {
  test("no credentials → 401", async () => {
    const sent = await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog));
    expect(sent.status).toBe(401);
  });

  test("a member of another organization (admin there) → 403", async () => {
    const sent = await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog), w.cast.adminB.headers);
    expect(sent.status).toBe(403);
    expect(sent.body.detail).toBe("Permission denied: project:create required");
  });

  test("readonly role → 403", async () => {
    expect((await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog), w.cast.readonlyA.headers)).status).toBe(403);
  });

  test("a system admin without membership may create", async () => {
    expect((await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog), w.cast.system.headers)).status).toBe(201);
  });
});
