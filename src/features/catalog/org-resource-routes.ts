/**
 * CRUD routes for one organization-scoped entity, mounted at
 * /organizations/{org_slug}/{segment}/ with the spec's permissions evaluated in that
 * organization (D2). PATCH takes JSON Patch (RFC 6902). Collections answer with and
 * without the trailing slash.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody as PatchBody } from "../../http/json-patch.ts";
import type { OrgResourceSpec } from "./spec.ts";
import { createSchema, orgResourceService } from "./org-resource-service.ts";

/** Entities carry blueprint fields beyond the declared ones, so responses stay open. */
export const EntityResponse = t.Object({
  id: t.String(), slug: t.String(), name: t.String(),
  organization: t.Object({ id: t.String(), name: t.String(), slug: t.String() }),
  relationships: t.Record(t.String(), t.Object({ href: t.String(), count: t.Integer() })),
}, { additionalProperties: true });

const ErrorResponse = t.Object({ detail: t.Unknown() });

export function orgResourceRoutes(ctx: AppContext, spec: OrgResourceSpec) {
  const service = orgResourceService(ctx.infra.sql, spec, ctx.prefix);
  const params = t.Object({ org_slug: t.String(), slug: t.String() });
  const orgParams = t.Object({ org_slug: t.String() });
  const detail = { tags: [spec.label.replace(/$/, "s")] };
  const errors = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse };

  return new Elysia({ name: `imbi.catalog.${spec.segment}`, prefix: `/organizations/:org_slug/${spec.segment}` })
    .use(ctx.auth)
    .get("/", ({ params }) => service.list(params.org_slug), {
      permission: spec.permissions.read, params: orgParams, response: { 200: t.Array(EntityResponse), ...errors }, detail,
    })
    .post("/", async ({ params, body, set }) => {
      set.status = 201;
      return service.create(params.org_slug, body as Record<string, unknown>);
    }, {
      permission: spec.permissions.create, params: orgParams, body: createSchema(spec), response: { 201: EntityResponse, ...errors }, detail,
    })
    .get("/:slug", ({ params }) => service.get(params.org_slug, params.slug), {
      permission: spec.permissions.read, params, response: { 200: EntityResponse, ...errors }, detail,
    })
    .patch("/:slug", ({ params, body }) => service.patch(params.org_slug, params.slug, body), {
      permission: spec.permissions.update, params, body: PatchBody, response: { 200: EntityResponse, ...errors }, detail,
    })
    .delete("/:slug", async ({ params, set }) => {
      await service.remove(params.org_slug, params.slug);
      set.status = 204;
    }, { permission: spec.permissions.delete, params, detail });
}
