/** /roles/: CRUD, permission grants, and who holds a role. */
import { Elysia, t } from "elysia";
import type { Operation } from "fast-json-patch";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { UserResponse } from "../users/service.ts";
import {
  ErrorBody, PermissionGrant, PermissionParams, RoleCreate, RoleDetail, RoleSummary, ServiceAccountResponse, SlugParams,
} from "./model.ts";
import {
  createRole, getRole, grant, listAllRoles, patchRole, removeRole, revoke, roleServiceAccounts, roleUsers, type RolesDeps,
} from "./service.ts";

const tags = ["Roles"];
const denied = { 401: ErrorBody, 403: ErrorBody };

export function rolesRoutes(ctx: AppContext) {
  const deps: RolesDeps = { sql: ctx.infra.sql, events: ctx.events, prefix: ctx.prefix };
  return new Elysia({ name: "imbi.roles", prefix: "/roles" })
    .use(ctx.auth)
    .get("/", () => listAllRoles(deps), {
      permission: "role:read",
      response: { 200: t.Array(RoleSummary), ...denied },
      detail: { tags, summary: "Roles by priority (highest first), then name, with relationship counts" },
    })
    .post("/", async (c) => {
      const role = await createRole(deps, c.principal, c.body, requestMeta(c));
      c.set.status = 201;
      return role;
    }, {
      permission: "role:create",
      body: RoleCreate,
      response: { 201: RoleDetail, 400: ErrorBody, ...denied, 409: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "Create a role, optionally inheriting from parent_role (a slug)" },
    })
    .get("/:slug", ({ params }) => getRole(deps, params.slug), {
      permission: "role:read",
      params: SlugParams,
      response: { 200: RoleDetail, ...denied, 404: ErrorBody },
      detail: { tags, summary: "A role with its permissions and parent role" },
    })
    .patch("/:slug", (c) => patchRole(deps, c.principal, c.params.slug, c.body as Operation[], requestMeta(c)), {
      permission: "role:update",
      params: SlugParams,
      body: JsonPatchBody,
      response: { 200: RoleDetail, 400: ErrorBody, ...denied, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "JSON Patch over name, slug, description, icon, priority, parent_role (system roles refused)" },
    })
    .delete("/:slug", async (c) => {
      await removeRole(deps, c.principal, c.params.slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "role:delete",
      params: SlugParams,
      response: { 204: t.Void(), 400: ErrorBody, ...denied, 404: ErrorBody, 409: ErrorBody },
      detail: { tags, summary: "Delete a role nobody holds or inherits from (system roles refused)" },
    })
    .post("/:slug/permissions", async (c) => {
      await grant(deps, c.principal, c.params.slug, c.body.permission_name, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "role:update",
      params: SlugParams,
      body: PermissionGrant,
      response: { 204: t.Void(), ...denied, 404: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "Grant a permission (idempotent)" },
    })
    .delete("/:slug/permissions/:permission_name", async (c) => {
      await revoke(deps, c.principal, c.params.slug, c.params.permission_name, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "role:update",
      params: PermissionParams,
      response: { 204: t.Void(), ...denied, 404: ErrorBody },
      detail: { tags, summary: "Revoke a permission" },
    })
    .get("/:slug/users", ({ params }) => roleUsers(deps, params.slug), {
      permission: "role:read",
      params: SlugParams,
      response: { 200: t.Array(UserResponse), ...denied, 404: ErrorBody },
      detail: { tags, summary: "Users holding the role in some organization" },
    })
    .get("/:slug/service-accounts", ({ params }) => roleServiceAccounts(deps, params.slug), {
      permission: "role:read",
      params: SlugParams,
      response: { 200: t.Array(ServiceAccountResponse), ...denied, 404: ErrorBody },
      detail: { tags, summary: "Service accounts holding the role in some organization" },
    });
}
