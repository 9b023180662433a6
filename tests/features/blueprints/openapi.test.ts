/**
 * The OpenAPI document reflects the enabled blueprints (§13.5), re-read at every fetch.
 * The hook must precede the swagger plugin (see src/features/blueprints/openapi.ts), so this
 * builds that arrangement over the real catalog routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Elysia } from "elysia";
import { swagger } from "@elysiajs/swagger";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, send, type Cast } from "../../helpers/catalog.ts";
import { blueprintOpenApi } from "../../../src/features/blueprints/openapi.ts";
import { orgResourceRoutes } from "../../../src/features/catalog/org-resource-routes.ts";
import { TEAMS } from "../../../src/features/teams/spec.ts";
import { ENVIRONMENTS } from "../../../src/features/environments/spec.ts";
import { projectRoutes } from "../../../src/features/projects/routes.ts";

let t: TestApp;
let cast: Cast;
let docs: { handle(request: Request): Promise<Response> };
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  docs = new Elysia()
    .use(blueprintOpenApi(t.infra.sql))
    .use(swagger({ path: "/openapi.json", specPath: "/openapi.json" }))
    .use(orgResourceRoutes(t.ctx, TEAMS))
    .use(orgResourceRoutes(t.ctx, ENVIRONMENTS))
    .use(projectRoutes(t.ctx));
});
afterAll(() => t.close());

const openapi = async () => (await (await docs.handle(new Request("http://localhost/openapi.json"))).json()) as any;
const createBody = (doc: any, path: string) => doc.paths[path].post.requestBody?.content?.["application/json"]?.schema;
const created = (doc: any, path: string) => doc.paths[path].post.responses["201"].content["application/json"].schema;

describe("GET /openapi.json with blueprints", () => {
  it("has no blueprint schemas before any blueprint exists", async () => {
    const doc = await openapi();
    expect(doc.components?.schemas?.TeamAttributes).toBeUndefined();
    expect(created(doc, "/organizations/{org_slug}/teams/").properties.cost_center).toBeUndefined();
  });

  it("adds enabled blueprints' properties to components, create bodies and responses; drops them when disabled", async () => {
    const team = await send(t, "POST", "/blueprints/", {
      name: "Team costs", type: "Team", json_schema: { type: "object", properties: { cost_center: { type: "string", pattern: "^CC-" } } },
    }, cast.system.headers);
    await send(t, "POST", "/blueprints/", {
      name: "Service", type: "Project", filter: { project_type: ["http-api"] },
      json_schema: { type: "object", required: ["framework"], properties: { framework: { type: "string", enum: ["FastAPI"] } } },
    }, cast.system.headers);
    await send(t, "POST", "/blueprints/", {
      name: "Deploy", kind: "relationship", source: "Project", target: "Environment", edge: "DEPLOYED_IN",
      json_schema: { type: "object", properties: { url: { type: "string", format: "uri" } } },
    }, cast.system.headers);
    const doc = await openapi();
    expect(doc.components.schemas.TeamAttributes.properties.cost_center).toEqual({ type: "string", pattern: "^CC-" });
    expect(doc.components.schemas.ProjectAttributes.required).toEqual(["framework"]);
    expect(doc.components.schemas.Project_Environment_DEPLOYED_INEdgeProperties.properties.url.format).toBe("uri");
    expect(createBody(doc, "/organizations/{org_slug}/teams/").properties.cost_center.pattern).toBe("^CC-");
    expect(created(doc, "/organizations/{org_slug}/teams/").properties.cost_center).toBeDefined();
    expect(doc.paths["/organizations/{org_slug}/teams/{slug}"].get.responses["200"].content["application/json"].schema.properties.cost_center).toBeDefined();
    expect(created(doc, "/organizations/{org_slug}/projects/").properties.framework.enum).toEqual(["FastAPI"]);
    expect(createBody(doc, "/organizations/{org_slug}/environments/").properties.cost_center).toBeUndefined();

    await send(t, "PATCH", `/blueprints/Team/${team.body.slug}`, [{ op: "replace", path: "/enabled", value: false }], cast.system.headers);
    const after = await openapi();
    expect(after.components.schemas.TeamAttributes).toBeUndefined();
    expect(createBody(after, "/organizations/{org_slug}/teams/").properties.cost_center).toBeUndefined();
  });

  it("is wired into the composed app (src/app.ts), not only this arrangement", async () => {
    await send(t, "POST", "/blueprints/", {
      name: "Link owner", type: "LinkDefinition", json_schema: { type: "object", properties: { owner: { type: "string" } } },
    }, cast.system.headers);
    const doc = (await (await t.req("/openapi.json")).json()) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    expect(doc.components.schemas.LinkDefinitionAttributes!.properties.owner).toEqual({ type: "string" });
  });
});
