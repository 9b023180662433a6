/**
 * /organizations/{org_slug}/projects: create, list, read, JSON Patch, delete, archive,
 * unarchive and the DEPLOYED_IN property merge. Permissions are checked in the
 * organization of the path (D2). DEPENDS_ON routes are in relationship-routes.ts.
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import {
  DeleteQuery, DeleteResponse, EdgeProperties, EnvironmentParams, ErrorBody, GetQuery, ListQuery, OrgParams, PatchQuery,
  ProjectCreate, ProjectListItem, ProjectMutationResponse, ProjectParams, ProjectResponse,
} from "./model.ts";
import { archiveProject, createProject, getProject, listOrgProjects, removeProject, type ProjectsDeps } from "./service.ts";
import { patchEnvironmentEdge, patchProject } from "./patch-service.ts";
import { relationshipRoutes } from "./relationship-routes.ts";

const tags = ["Projects"];

/**
 * The whole list (the reference has no pagination) is serialized once, as is: Elysia
 * validates and re-copies every returned object against its response schema, which costs
 * more than building the list. The schema stays declared for the OpenAPI document; the
 * objects come from ProjectSerializer only.
 */
const jsonResponse = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json;charset=utf-8" } });

/**
 * Bodies with maps are validated by the service (checkBody), not by Elysia: Elysia's
 * normalization turns a JSON array into an object where a record is expected
 * (`["x"]` → `{"0": "x"}`), so the route takes the body as is and documents the schema here.
 */
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };

/** Everything under /organizations/{org_slug}/projects: the one plugin app.ts mounts. */
export function projectRoutes(ctx: AppContext) {
  const deps: ProjectsDeps = { sql: ctx.infra.sql, events: ctx.events, prefix: ctx.prefix };
  return new Elysia({ name: "imbi.projects" })
    .use(coreRoutes(ctx, deps))
    .use(relationshipRoutes(ctx, deps));
}

function coreRoutes(ctx: AppContext, deps: ProjectsDeps) {
  return new Elysia({ name: "imbi.projects.core", prefix: "/organizations/:org_slug/projects" })
    .use(ctx.auth)
    .post("/", async (c) => {
      const project = await createProject(deps, c.principal, c.params.org_slug, c.body, requestMeta(c));
      c.set.status = 201;
      return project;
    }, {
      permission: "project:create", params: OrgParams,
      response: { 201: ProjectMutationResponse, ...errors },
      detail: { tags, summary: "Create a project with its team, project types and environments", requestBody: jsonBody(ProjectCreate) },
    })
    .get("/", async ({ params, query }) => jsonResponse(await listOrgProjects(deps, params.org_slug, query)), {
      permission: "project:read", params: OrgParams, query: ListQuery,
      response: { 200: t.Union([t.Array(ProjectResponse), t.Array(ProjectListItem)]), ...errors },
      detail: { tags, summary: "Projects by name; filter by team, project_type, environment; slim=true for list items" },
    })
    .get("/:project_id", ({ params }) => getProject(deps, params.org_slug, params.project_id), {
      permission: "project:read", params: ProjectParams, query: GetQuery,
      response: { 200: ProjectResponse, ...errors },
      detail: { tags, summary: "A project" },
    })
    .patch("/:project_id", (c) => patchProject(deps, c.principal, c.params.org_slug, c.params.project_id, c.body, requestMeta(c)), {
      permission: "project:write", params: ProjectParams, query: PatchQuery, body: JsonPatchBody,
      response: { 200: ProjectMutationResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {name, slug, description, icon, team_slug, project_type_slugs, environments, links, identifiers}" },
    })
    .delete("/:project_id", (c) => removeProject(deps, c.principal, c.params.org_slug, c.params.project_id, requestMeta(c)), {
      permission: "project:delete", params: ProjectParams, query: DeleteQuery,
      response: { 200: DeleteResponse, ...errors },
      detail: { tags, summary: "Delete a project (409 while other projects depend on it)" },
    })
    .post("/:project_id/archive", (c) => archiveProject(deps, c.principal, c.params.org_slug, c.params.project_id, true, requestMeta(c)), {
      permission: "project:write", params: ProjectParams,
      response: { 200: ProjectMutationResponse, ...errors },
      detail: { tags, summary: "Archive a project (hidden from lists unless include_archived=true)" },
    })
    .post("/:project_id/unarchive", (c) => archiveProject(deps, c.principal, c.params.org_slug, c.params.project_id, false, requestMeta(c)), {
      permission: "project:write", params: ProjectParams,
      response: { 200: ProjectMutationResponse, ...errors },
      detail: { tags, summary: "Unarchive a project" },
    })
    .patch("/:project_id/environments/:env_slug", (c) => patchEnvironmentEdge(
      deps, c.principal, c.params.org_slug, c.params.project_id, c.params.env_slug, c.body, requestMeta(c),
    ), {
      permission: "project:write", params: EnvironmentParams,
      response: { 200: t.Record(t.String(), t.Unknown()), ...errors },
      detail: {
        tags, summary: "Set (non-null) or remove (null) properties of the project's deployment in an environment",
        requestBody: jsonBody(EdgeProperties),
      },
    });
}
