/**
 * /organizations/{org_slug}/projects/{project_id}/services (reference-domain §10.2): the
 * integrations a project exists in (EXISTS_IN). Reading needs project:read, writing
 * project:write, in the organization of the path (D2).
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ErrorBody, ExistsInCreate, ExistsInResponse, ProjectParams, ServiceParams } from "./model.ts";
import { addService, listServices, removeService, replaceService, type ProjectServicesDeps } from "./service.ts";

const tags = ["Project Services"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
/** The body is checked by the service (strict TypeBox, 422 in the D2 shape); the schema is documented here. */
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });

export function projectServiceRoutes(ctx: AppContext) {
  const deps: ProjectServicesDeps = { sql: ctx.infra.sql, events: ctx.events };
  return new Elysia({ name: "imbi.project-services", prefix: "/organizations/:org_slug/projects/:project_id/services" })
    .use(ctx.auth)
    .get("/", ({ params }) => listServices(deps, params.org_slug, params.project_id), {
      permission: "project:read", params: ProjectParams,
      response: { 200: t.Array(ExistsInResponse), ...errors },
      detail: { tags, summary: "The integrations the project exists in, by integration name" },
    })
    .post("/", async (c) => {
      const service = await addService(deps, c.principal, c.params.org_slug, c.params.project_id, c.body, requestMeta(c));
      c.set.status = 201;
      return service;
    }, {
      permission: "project:write", params: ProjectParams,
      response: { 201: ExistsInResponse, ...errors },
      detail: { tags, summary: "Link the project to an integration (or replace that link's identifier and URLs)", requestBody: jsonBody(ExistsInCreate) },
    })
    .put("/:service_slug", (c) => replaceService(deps, c.principal, c.params.org_slug, c.params.project_id, c.params.service_slug, c.body, requestMeta(c)), {
      permission: "project:write", params: ServiceParams,
      response: { 200: ExistsInResponse, ...errors },
      detail: { tags, summary: "Change an existing link; the path's integration wins over the body's", requestBody: jsonBody(ExistsInCreate) },
    })
    .delete("/:service_slug", async (c) => {
      await removeService(deps, c.principal, c.params.org_slug, c.params.project_id, c.params.service_slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "project:write", params: ServiceParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Remove a link and the project's dashboard link for that integration" },
    });
}
