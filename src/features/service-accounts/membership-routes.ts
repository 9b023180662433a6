/**
 * /service-accounts/{slug}/organizations: join an organization (or change the role there),
 * JSON Patch the role, leave. Each write needs service_account:update in that organization.
 */
import { Elysia, t } from "elysia";
import type { Operation } from "fast-json-patch";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { MembershipBody, MembershipParams, SlugParams } from "./model.ts";
import { addMembership, patchMembership, removeMembership } from "./service.ts";
import { accountDeps, errors, tags } from "./routes.ts";
import { requestMeta } from "../../http/request-context.ts";

export function serviceAccountMembershipRoutes(ctx: AppContext) {
  const deps = accountDeps(ctx);
  const response = { 204: t.Void(), ...errors };
  return new Elysia({ name: "imbi.service-account-memberships", prefix: "/service-accounts/:slug/organizations" })
    .use(ctx.auth)
    .post("", async (c) => {
      await addMembership(deps, c.principal, c.params.slug, c.body, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "service_account:update",
      params: SlugParams,
      body: MembershipBody,
      response,
      detail: { tags, summary: "Add to an organization with a role, or change the role (upsert)" },
    })
    .patch("/:org_slug", async (c) => {
      await patchMembership(deps, c.principal, c.params.slug, c.params.org_slug, c.body as Operation[], requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "service_account:update",
      params: MembershipParams,
      body: JsonPatchBody,
      response,
      detail: { tags, summary: "JSON Patch over {role_slug}" },
    })
    .delete("/:org_slug", async (c) => {
      await removeMembership(deps, c.principal, c.params.slug, c.params.org_slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "service_account:update",
      params: MembershipParams,
      response,
      detail: { tags, summary: "Remove from an organization" },
    });
}
