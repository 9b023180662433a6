/** /service-accounts and /service-accounts/{slug}: create, list, read, JSON Patch, delete. */
import { Elysia, t } from "elysia";
import type { Operation } from "fast-json-patch";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { ErrorBody, ListQuery, ServiceAccountCreateBody, ServiceAccountResponse, SlugParams } from "./model.ts";
import type { ApiKeyDeps } from "../api-keys/service.ts";
import { createAccount, deleteAccount, getAccount, listAccounts, patchAccount, type AccountDeps } from "./service.ts";
import { requestMeta } from "../../http/request-context.ts";

export const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
export const tags = ["Service Accounts"];
export const accountDeps = (ctx: AppContext): AccountDeps => ({ sql: ctx.infra.sql, events: ctx.events });
/** For the account's API keys and client credentials (the rules of features/api-keys). */
export const keyDeps = (ctx: AppContext): ApiKeyDeps => ({
  sql: ctx.infra.sql, events: ctx.events, maxLifetimeDays: ctx.settings.auth.api_key_max_lifetime_days,
});

export function serviceAccountRoutes(ctx: AppContext) {
  const deps = accountDeps(ctx);
  return new Elysia({ name: "imbi.service-accounts", prefix: "/service-accounts" })
    .use(ctx.auth)
    .post("", async (c) => {
      const created = await createAccount(deps, c.principal, c.body, requestMeta(c));
      c.set.status = 201;
      return created;
    }, {
      permission: "service_account:create",
      body: ServiceAccountCreateBody,
      response: { 201: ServiceAccountResponse, ...errors },
      detail: { tags, summary: "Create a service account with a role in one organization (service_account:create there)" },
    })
    .get("", (c) => listAccounts(deps, c.principal, c.query.is_active), {
      permission: "service_account:read",
      query: ListQuery,
      response: { 200: t.Array(ServiceAccountResponse), ...errors },
      detail: { tags, summary: "Service accounts ordered by slug" },
    })
    .get("/:slug", (c) => getAccount(deps, c.principal, c.params.slug), {
      permission: "service_account:read",
      params: SlugParams,
      response: { 200: ServiceAccountResponse, ...errors },
      detail: { tags },
    })
    .patch("/:slug", (c) => patchAccount(deps, c.principal, c.params.slug, c.body as Operation[], requestMeta(c)), {
      permission: "service_account:update",
      params: SlugParams,
      body: JsonPatchBody,
      response: { 200: ServiceAccountResponse, ...errors },
      detail: { tags, summary: "JSON Patch over display_name, description, is_active, avatar_url (slug is fixed)" },
    })
    .delete("/:slug", async (c) => {
      await deleteAccount(deps, c.principal, c.params.slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "service_account:delete",
      params: SlugParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete the account with its API keys, client credentials and sessions" },
    });
}
