/**
 * /blueprints (reference-domain §13.2): global, so `blueprint:*` permissions are evaluated
 * across the caller's organizations. Bodies are validated by the service (json_schema and
 * filter may be objects or JSON strings). Also mounts the project's blueprint sections,
 * GET /organizations/{org_slug}/projects/{project_id}/schema (§7.6), checked in the org.
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import { BlueprintInput, BlueprintResponse, ListQuery, SchemaResponse, SlugParams, TypeParams } from "./model.ts";
import { blueprintService } from "./service.ts";
import { projectSchema } from "./project-schema.ts";

const ErrorBody = t.Object({ detail: t.Unknown() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const tags = ["Blueprints"];
/** The body is checked by the service (object or JSON-string fields); documented here. */
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });

export function blueprintRoutes(ctx: AppContext) {
  const service = blueprintService({ sql: ctx.infra.sql, events: ctx.events });
  const blueprints = new Elysia({ name: "imbi.blueprints", prefix: "/blueprints" })
    .use(ctx.auth)
    .get("/", ({ query }) => service.list(undefined, query.enabled), {
      permission: "blueprint:read", query: ListQuery, response: { 200: t.Array(BlueprintResponse), ...errors },
      detail: { tags, summary: "All blueprints by name (?enabled=true|false)" },
    })
    .post("/", async (c) => {
      const blueprint = await service.create(c.principal, c.body, requestMeta(c));
      c.set.status = 201;
      return blueprint;
    }, {
      permission: "blueprint:write", response: { 201: BlueprintResponse, ...errors },
      detail: {
        tags, summary: "Create a blueprint (json_schema: a draft 2020-12 JSON Schema object, or its JSON text)",
        requestBody: jsonBody(BlueprintInput),
      },
    })
    .get("/:type", ({ params, query }) => service.list(params.type, query.enabled), {
      permission: "blueprint:read", params: TypeParams, query: ListQuery, response: { 200: t.Array(BlueprintResponse), ...errors },
      detail: { tags, summary: "Blueprints of one entity type, or `relationship`" },
    })
    .get("/:type/:slug", ({ params }) => service.get(params.type, params.slug), {
      permission: "blueprint:read", params: SlugParams, response: { 200: BlueprintResponse, ...errors },
      detail: { tags, summary: "A blueprint" },
    })
    .patch("/:type/:slug", (c) => service.patch(c.principal, c.params.type, c.params.slug, c.body, requestMeta(c)), {
      permission: "blueprint:write", params: SlugParams, body: JsonPatchBody, response: { 200: BlueprintResponse, ...errors },
      detail: { tags, summary: "JSON Patch a blueprint (kind, type and slug cannot change; version is bumped)" },
    })
    .delete("/:type/:slug", async (c) => {
      await service.remove(c.principal, c.params.type, c.params.slug, requestMeta(c));
      c.set.status = 204;
    }, { permission: "blueprint:delete", params: SlugParams, detail: { tags, summary: "Delete a blueprint" } });

  const schema = new Elysia({ name: "imbi.blueprints.project-schema", prefix: "/organizations/:org_slug/projects" })
    .use(ctx.auth)
    .get("/:project_id/schema", ({ params }) => projectSchema(ctx.infra.sql, params.org_slug, params.project_id), {
      permission: "project:read", params: t.Object({ org_slug: t.String(), project_id: t.String() }),
      response: { 200: SchemaResponse, ...errors },
      detail: { tags: ["Projects"], summary: "The blueprint sections (project and environment scope) that apply to a project" },
    });

  return new Elysia({ name: "imbi.blueprints.all" }).use(blueprints).use(schema);
}
