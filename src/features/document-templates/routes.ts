/**
 * /organizations/{org_slug}/document-templates (reference-domain §12.3): templates by slug,
 * permissions document_template:* in the organization of the path (D2). Not paginated.
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ErrorBody, ListQuery, OrgParams, TemplateCreate, TemplateParams, TemplateResponse, TemplateUpdate } from "./model.ts";
import { createTemplate, getTemplate, listTemplates, patchTemplate, putTemplate, removeTemplate, type TemplatesDeps } from "./service.ts";

const tags = ["Document templates"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });

export function documentTemplateRoutes(ctx: AppContext) {
  const deps: TemplatesDeps = { sql: ctx.infra.sql, events: ctx.events };
  return new Elysia({ name: "imbi.document-templates", prefix: "/organizations/:org_slug/document-templates" })
    .use(ctx.auth)
    .post("/", async (c) => {
      const template = await createTemplate(deps, c.principal, c.params.org_slug, c.body, requestMeta(c));
      c.set.status = 201;
      return template;
    }, {
      permission: "document_template:create", params: OrgParams, response: { 201: TemplateResponse, ...errors },
      detail: { tags, summary: "Create a template; 409 when the slug is taken in the organization", requestBody: jsonBody(TemplateCreate) },
    })
    .get("/", ({ params, query }) => listTemplates(deps, params.org_slug, query), {
      permission: "document_template:read", params: OrgParams, query: ListQuery, response: { 200: t.Array(TemplateResponse), ...errors },
      detail: { tags, summary: "Templates by sort_order, name; filters project_type and context (project|user|project_type)" },
    })
    .get("/:slug", ({ params }) => getTemplate(deps, params.org_slug, params.slug), {
      permission: "document_template:read", params: TemplateParams, response: { 200: TemplateResponse, ...errors }, detail: { tags, summary: "A template" },
    })
    .put("/:slug", (c) => putTemplate(deps, c.principal, c.params.org_slug, c.params.slug, c.body, requestMeta(c)), {
      permission: "document_template:write", params: TemplateParams, response: { 200: TemplateResponse, ...errors },
      detail: { tags, summary: "Replace the fields given (tags replace the tag set)", requestBody: jsonBody(TemplateUpdate) },
    })
    .patch("/:slug", (c) => patchTemplate(deps, c.principal, c.params.org_slug, c.params.slug, c.body, requestMeta(c)), {
      permission: "document_template:write", params: TemplateParams, body: JsonPatchBody, response: { 200: TemplateResponse, ...errors },
      detail: { tags, summary: "JSON Patch; /id, /organization, /created_at, /updated_at are read-only" },
    })
    .delete("/:slug", async (c) => {
      await removeTemplate(deps, c.principal, c.params.org_slug, c.params.slug, requestMeta(c));
      c.set.status = 204;
    }, { permission: "document_template:delete", params: TemplateParams, response: { 204: t.Void(), ...errors }, detail: { tags, summary: "Delete a template" } });
}
