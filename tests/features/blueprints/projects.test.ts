/**
 * Blueprints on projects: Project node blueprints filtered by project type validate the
 * extra keys of create and JSON Patch (§7.2, §7.8, §13.3); relationship blueprints
 * (Project -[DEPLOYED_IN]-> Environment) validate environment properties on create, patch
 * and PATCH …/environments/{env} (§13.4, fixing §20.11); GET …/schema lists the sections (§7.6).
 */
import { afterEach, describe, expect, it } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { projectBody, slugOf } from "../../helpers/catalog-factories.ts";
import { useWorld } from "../projects/fixtures.ts";

const w = useWorld();
afterEach(async () => void await w.t.infra.sql`delete from blueprints`);

async function blueprint(body: Record<string, unknown>) {
  const sent = await send(w.t, "POST", "/blueprints/", { name: slugOf("bp"), ...body }, w.cast.system.headers);
  expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
  return sent.body;
}
const nodeBlueprint = (json_schema: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  blueprint({ type: "Project", json_schema: { type: "object", ...json_schema }, ...extra });
const edgeBlueprint = (json_schema: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  blueprint({ kind: "relationship", source: "Project", target: "Environment", edge: "DEPLOYED_IN", json_schema: { type: "object", ...json_schema }, ...extra });

const post = (overrides: Record<string, unknown>) => send(w.t, "POST", `${w.base}/`, projectBody(w.catalog, overrides), w.cast.developerA.headers);
const patch = (id: string, ops: unknown[]) => send(w.t, "PATCH", `${w.base}/${id}`, ops, w.cast.developerA.headers);

describe("POST /organizations/{org}/projects/ with Project blueprints", () => {
  it("A.4: required enum (case-insensitive), uri format, integer default", async () => {
    await nodeBlueprint({
      required: ["framework"],
      properties: {
        framework: { type: "string", enum: ["FastAPI", "Tornado"] },
        oncall_url: { type: "string", format: "uri" },
        replicas: { type: "integer", default: 2, minimum: 1 },
      },
    }, { filter: { project_type: [w.catalog.api.slug], environment: [] }, priority: 10 });
    const created = await post({ framework: "fastapi", oncall_url: "https://oncall.example.com/x", ignored_key: 1 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ framework: "FastAPI", oncall_url: "https://oncall.example.com/x", replicas: 2 });
    expect(created.body.ignored_key).toBeUndefined();
    expect422(await post({}), "body.framework");
    expect422(await post({ framework: "Django" }), "body.framework");
    expect422(await post({ framework: "FastAPI", oncall_url: "no url" }), "body.oncall_url");
    expect422(await post({ framework: "FastAPI", replicas: 0 }), "body.replicas");
  });

  it("applies only to projects of the filtered types", async () => {
    await nodeBlueprint({ required: ["queue"], properties: { queue: { type: "string", pattern: "^[a-z.]+$" } } },
      { filter: { project_type: [w.catalog.worker.slug] } });
    const api = await post({ queue: "NOT VALID" });
    expect(api.status).toBe(201);
    expect(api.body.queue).toBeUndefined();
    expect422(await post({ project_type_slugs: [w.catalog.worker.slug] }), "body.queue");
    expect422(await post({ project_type_slugs: [w.catalog.api.slug, w.catalog.worker.slug], queue: "NOT VALID" }), "body.queue");
    const worker = await post({ project_type_slugs: [w.catalog.worker.slug], queue: "billing.events" });
    expect(worker.status).toBe(201);
    expect(worker.body.queue).toBe("billing.events");
  });

  it("reports attribute and environment problems together, writes nothing", async () => {
    await nodeBlueprint({ properties: { tier: { type: "integer", maximum: 3 } } });
    await edgeBlueprint({ properties: { url: { type: "string", format: "uri" } } });
    const body = projectBody(w.catalog, { tier: 9, environments: { [w.catalog.production.slug]: { url: "nope" } } });
    const sent = await send(w.t, "POST", `${w.base}/`, body, w.cast.developerA.headers);
    expect422(sent, "body.tier");
    expect422(sent, `body.environments.${w.catalog.production.slug}.url`);
    const [row] = await w.t.infra.sql`select count(*)::int as n from projects where slug = ${body.slug as string}`;
    expect(row!.n).toBe(0);
  });
});

describe("PATCH /organizations/{org}/projects/{id} with Project blueprints", () => {
  it("validates attributes at the top level of the patched document", async () => {
    await nodeBlueprint({ properties: { sla: { type: "number", minimum: 90, maximum: 100 }, owners: { type: "array", maxItems: 2, uniqueItems: true } } });
    const created = await post({ sla: 99.5 });
    expect(created.body.sla).toBe(99.5);
    expect422(await patch(created.body.id, [{ op: "replace", path: "/sla", value: 50 }]), "body.sla");
    expect422(await patch(created.body.id, [{ op: "add", path: "/owners", value: ["a", "a"] }]), "body.owners");
    expect422(await patch(created.body.id, [{ op: "add", path: "/owners", value: ["a", "b", "c"] }]), "body.owners");
    const ok = await patch(created.body.id, [{ op: "add", path: "/owners", value: ["a", "b"] }, { op: "replace", path: "/sla", value: null }]);
    expect(ok.status).toBe(200);
    expect(ok.body.owners).toEqual(["a", "b"]);
    expect(ok.body.sla).toBeUndefined();
  });

  it("changing the project types changes which blueprints apply", async () => {
    await nodeBlueprint({ required: ["queue"], properties: { queue: { type: "string" } } }, { filter: { project_type: [w.catalog.worker.slug] } });
    const created = await post({});
    expect422(await patch(created.body.id, [{ op: "replace", path: "/project_type_slugs", value: [w.catalog.worker.slug] }]), "body.queue");
    const ok = await patch(created.body.id, [
      { op: "replace", path: "/project_type_slugs", value: [w.catalog.worker.slug] }, { op: "add", path: "/queue", value: "q" },
    ]);
    expect(ok.status).toBe(200);
    expect(ok.body.queue).toBe("q");
  });

  it("validates environment properties against relationship blueprints", async () => {
    await edgeBlueprint({ properties: { url: { type: "string", format: "uri" }, replicas: { type: "integer", minimum: 1 } } });
    const created = await post({});
    const prod = w.catalog.production.slug;
    expect422(await patch(created.body.id, [{ op: "replace", path: `/environments/${prod}/url`, value: "nope" }]), `body.environments.${prod}.url`);
    const ok = await patch(created.body.id, [{ op: "add", path: `/environments/${prod}/replicas`, value: 3 }]);
    expect(ok.status).toBe(200);
    expect(ok.body.environments.find((e: { slug: string }) => e.slug === prod).replicas).toBe(3);
  });
});

describe("PATCH /organizations/{org}/projects/{id}/environments/{env} with relationship blueprints", () => {
  it("422 for invalid values of the resulting properties; undeclared keys pass as before", async () => {
    await edgeBlueprint({ required: ["url"], properties: { url: { type: "string", format: "uri" }, port: { type: "integer", minimum: 1, maximum: 65535 } } },
      { filter: { environment: [w.catalog.production.slug] } });
    const created = await post({});
    const path = `${w.base}/${created.body.id}/environments/${w.catalog.production.slug}`;
    expect422(await send(w.t, "PATCH", path, { port: 70000 }, w.cast.developerA.headers), "body.port");
    expect422(await send(w.t, "PATCH", path, { url: "ftp:/broken" + " x" }, w.cast.developerA.headers), "body.url");
    expect422(await send(w.t, "PATCH", path, { url: null }, w.cast.developerA.headers), "body.url"); // required
    const ok = await send(w.t, "PATCH", path, { port: 8080, note: "free text" }, w.cast.developerA.headers);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ url: "https://billing.example.com", port: 8080, note: "free text" });
    // The filter names production only: staging takes anything.
    const staging = await send(w.t, "PATCH", `${w.base}/${created.body.id}/environments/${w.catalog.staging.slug}`, { port: 70000 }, w.cast.developerA.headers);
    expect(staging.status).toBe(200);
  });
});

describe("GET /organizations/{org}/projects/{id}/schema", () => {
  it("lists matching project sections by priority, then environment sections", async () => {
    const low = await nodeBlueprint({ properties: { a: { type: "string", title: "A", "x-ui": { icon: "x" } } } }, { priority: 1 });
    const high = await nodeBlueprint({ properties: { b: { type: "integer", minimum: 1, default: 2 } } }, { priority: 5 });
    await nodeBlueprint({ properties: { c: { type: "string" } } }, { filter: { project_type: [w.catalog.worker.slug] } });
    await nodeBlueprint({ properties: {} });
    await nodeBlueprint({ properties: { d: { type: "string" } } }, { enabled: false });
    const edge = await edgeBlueprint({ properties: { url: { type: "string", format: "uri", "x-ui": { editable: false } } } },
      { filter: { environment: [w.catalog.production.slug] } });
    await edgeBlueprint({ properties: { e: { type: "string" } } }, { filter: { environment: ["nowhere"] } });
    const created = await post({});
    const sent = await send(w.t, "GET", `${w.base}/${created.body.id}/schema`, undefined, w.cast.readonlyA.headers);
    expect(sent.status).toBe(200);
    expect(sent.body.sections.map((s: { slug: string; scope: string }) => [s.slug, s.scope])).toEqual([
      [low.slug, "project"], [high.slug, "project"], [edge.slug, "environment"],
    ]);
    expect(sent.body.sections[0].properties.a).toEqual({ type: "string", title: "A", "x-ui": { icon: "x", editable: true } });
    expect(sent.body.sections[1].properties.b).toMatchObject({ type: "integer", minimum: 1, default: 2 });
    expect(sent.body.sections[2].properties.url["x-ui"].editable).toBe(false);
  });

  it("404 for an unknown project or organization, 401, 403 in another org", async () => {
    const created = await post({});
    expect((await send(w.t, "GET", `${w.base}/nope/schema`, undefined, w.cast.readonlyA.headers)).status).toBe(404);
    expect((await send(w.t, "GET", `/organizations/nope/projects/${created.body.id}/schema`, undefined, w.cast.system.headers)).status).toBe(404);
    expect((await send(w.t, "GET", `${w.base}/${created.body.id}/schema`)).status).toBe(401);
    expect((await send(w.t, "GET", `${w.base}/${created.body.id}/schema`, undefined, w.cast.developerB.headers)).status).toBe(403);
  });
});
