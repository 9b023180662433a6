/** /users/: list, create, the caller's profile, read, JSON Patch, delete, password. */
import { Elysia, t } from "elysia";
import type { Operation } from "fast-json-patch";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { CurrentUserResponse, EmailChange, EmailParams, ErrorBody, PasswordChange, UserCreate, UserResponse, UsersQuery } from "./model.ts";
import { changeEmail } from "./email-change.ts";
import { createUser, currentUser, getUser, listAllUsers, patchUser, removeUser, type UsersDeps } from "./service.ts";
import { changePassword } from "./password.ts";
import { membershipRoutes } from "./membership-routes.ts";

const tags = ["Users"];

export function usersRoutes(ctx: AppContext) {
  const deps: UsersDeps = { sql: ctx.infra.sql, events: ctx.events, auth: ctx.settings.auth, email: ctx.email };
  return new Elysia({ name: "imbi.users", prefix: "/users" })
    .use(ctx.auth)
    .get("/", ({ query }) => listAllUsers(deps, query), {
      permission: "user:read",
      query: UsersQuery,
      response: { 200: t.Array(UserResponse), 401: ErrorBody, 403: ErrorBody },
      detail: { tags, summary: "Users by email, optionally filtered by is_active / is_admin" },
    })
    .post("/", async (c) => {
      const user = await createUser(deps, c.principal, c.body, requestMeta(c), ctx.email.linkOrigin(c));
      c.set.status = 201;
      return user;
    }, {
      permission: "user:create",
      body: UserCreate,
      response: { 201: UserResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "Create a user and their first membership (password policy applies)" },
    })
    .get("/me", ({ principal }) => currentUser(deps, principal), {
      auth: "user",
      response: { 200: CurrentUserResponse, 401: ErrorBody, 403: ErrorBody },
      detail: { tags, summary: "The caller's profile, effective permissions and teams" },
    })
    .get("/:email", ({ params }) => getUser(deps, params.email), {
      permission: "user:read",
      params: EmailParams,
      response: { 200: UserResponse, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      detail: { tags, summary: "A user with their memberships" },
    })
    .patch("/:email", (c) => patchUser(deps, c.principal, c.params.email, c.body as Operation[], requestMeta(c)), {
      permission: "user:update",
      params: EmailParams,
      body: JsonPatchBody,
      response: { 200: UserResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "JSON Patch over the user, including the `organizations` array" },
    })
    .delete("/:email", async (c) => {
      await removeUser(deps, c.principal, c.params.email, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "user:delete",
      params: EmailParams,
      response: { 204: t.Void(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      detail: { tags, summary: "Delete a user with their memberships, sessions and API keys" },
    })
    .post("/:email/password", async (c) => {
      await changePassword(deps, c.principal, c.params.email, c.body, requestMeta(c));
      c.set.status = 204;
    }, {
      auth: "user",
      params: EmailParams,
      body: PasswordChange,
      response: { 204: t.Void(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "Change your password (current_password required) or set another user's" },
    })
    .put("/:email/email", (c) => changeEmail(deps, c.principal, c.params.email, c.body, requestMeta(c), ctx.email.linkOrigin(c)), {
      auth: "user",
      params: EmailParams,
      body: EmailChange,
      response: { 200: UserResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      detail: { tags, summary: "Change a user's email address (unverified until its emailed link is followed; the old address is told)" },
    })
    .use(membershipRoutes(ctx, deps));
}
