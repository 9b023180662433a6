/** /users/{email}/organizations: add (or re-role) a membership, change its role, remove it. */
import { Elysia, t } from "elysia";
import type { Operation } from "fast-json-patch";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { EmailParams, ErrorBody, MembershipCreate, MembershipParams } from "./model.ts";
import { addMembership, changeMembershipRole, leaveOrganization } from "./memberships.ts";
import type { UsersDeps } from "./service.ts";

const tags = ["Users"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };

/** Mounted by usersRoutes, under its /users prefix. */
export function membershipRoutes(ctx: AppContext, deps: UsersDeps) {
  return new Elysia({ name: "imbi.users.memberships" })
    .use(ctx.auth)
    .post("/:email/organizations", async (c) => {
      await addMembership(deps, c.principal, c.params.email, c.body, requestMeta(c));
      c.set.status = 204;
    }, {
      // Held somewhere by the macro; held in the body's organization is checked by the service (D2).
      permission: "user:update",
      params: EmailParams,
      body: MembershipCreate,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Add the user to an organization with a role (or change that role)" },
    })
    .patch("/:email/organizations/:org_slug", async (c) => {
      await changeMembershipRole(deps, c.principal, c.params.email, c.params.org_slug, c.body as Operation[], requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "user:update",
      params: MembershipParams,
      body: JsonPatchBody,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Change the user's role there: one replace/add of /role_slug" },
    })
    .delete("/:email/organizations/:org_slug", async (c) => {
      await leaveOrganization(deps, c.principal, c.params.email, c.params.org_slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "user:update",
      params: MembershipParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Remove the user from the organization" },
    });
}
