/** /organizations: create, list (those the caller may read), get, JSON Patch, delete, members. */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody as PatchBody } from "../../http/json-patch.ts";
import { OrganizationDocument, organizationService } from "./service.ts";

const Organization = t.Object({
  id: t.String(), slug: t.String(), name: t.String(),
  relationships: t.Record(t.String(), t.Object({ href: t.String(), count: t.Integer() })),
}, { additionalProperties: true });
const { name, slug, description, icon, tag_formats } = OrganizationDocument.properties;
// Extra keys are blueprint attributes, validated by the service against Organization blueprints.
const CreateBody = t.Object(
  { name, slug, description: t.Optional(description), icon: t.Optional(icon), tag_formats: t.Optional(tag_formats) },
  { additionalProperties: true },
);
const Params = t.Object({ org_slug: t.String() });
const detail = { tags: ["Organizations"] };

export function organizationRoutes(ctx: AppContext) {
  const service = organizationService(ctx.infra.sql, ctx.prefix);
  return new Elysia({ name: "imbi.organizations", prefix: "/organizations" })
    .use(ctx.auth)
    .get("/", ({ principal }) => service.list(principal), { permission: "organization:read", response: t.Array(Organization), detail })
    .post("/", async ({ body, principal, set }) => {
      set.status = 201;
      return service.create(body, principal);
    }, { permission: "organization:create", body: CreateBody, response: { 201: Organization }, detail })
    .get("/:org_slug", ({ params }) => service.get(params.org_slug), { permission: "organization:read", params: Params, response: Organization, detail })
    .patch("/:org_slug", ({ params, body }) => service.patch(params.org_slug, body), {
      permission: "organization:update", params: Params, body: PatchBody, response: Organization, detail,
    })
    .delete("/:org_slug", async ({ params, set }) => {
      await service.remove(params.org_slug);
      set.status = 204;
    }, { permission: "organization:delete", params: Params, detail })
    .get("/:org_slug/members", ({ params }) => service.members(params.org_slug), {
      permission: "organization:read", params: Params,
      response: t.Array(t.Object({ email: t.String(), display_name: t.String(), role: t.String() })), detail,
    });
}
