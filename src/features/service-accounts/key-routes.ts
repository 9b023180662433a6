/** /service-accounts/{slug}/api-keys: list (read), create / revoke / rotate (update). */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { ApiKeyCreateBody, ApiKeyCreateResponse, ApiKeyResponse } from "../api-keys/model.ts";
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from "../api-keys/service.ts";
import type { Principal } from "../auth/principal.ts";
import { KeyParams, SlugParams } from "./model.ts";
import { loadAccount } from "./service.ts";
import { requireOverAccount } from "./access.ts";
import { errors, keyDeps, tags } from "./routes.ts";

export function serviceAccountKeyRoutes(ctx: AppContext) {
  const deps = keyDeps(ctx);
  /** The account as a key owner, after the organization check for writes. */
  async function owner(slug: string, caller: Principal, write = false) {
    const { row, memberships } = await loadAccount(ctx.infra.sql, caller, slug, "Service account not found");
    if (write) requireOverAccount(ctx.events, caller, "service_account:update", memberships);
    return { kind: "service_account" as const, id: row.id };
  }

  return new Elysia({ name: "imbi.service-account-keys", prefix: "/service-accounts/:slug/api-keys" })
    .use(ctx.auth)
    .get("", async ({ principal, params }) => listApiKeys(deps, await owner(params.slug, principal)), {
      permission: "service_account:read",
      params: SlugParams,
      response: { 200: t.Array(ApiKeyResponse), ...errors },
      detail: { tags, summary: "The account's API keys, newest first" },
    })
    .post("", async ({ principal, params, body, set }) => {
      const created = await createApiKey(deps, principal, await owner(params.slug, principal, true), body);
      set.status = 201;
      return created;
    }, {
      permission: "service_account:update",
      params: SlugParams,
      body: ApiKeyCreateBody,
      response: { 201: ApiKeyCreateResponse, ...errors },
      detail: { tags, summary: "Create an API key for the account; the full key is returned only now" },
    })
    .delete("/:key_id", async ({ principal, params, set }) => {
      await revokeApiKey(deps, principal, await owner(params.slug, principal, true), params.key_id);
      set.status = 204;
    }, {
      permission: "service_account:update",
      params: KeyParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Revoke one of the account's API keys" },
    })
    .post("/:key_id/rotate", async ({ principal, params }) => rotateApiKey(deps, principal, await owner(params.slug, principal, true), params.key_id), {
      permission: "service_account:update",
      params: KeyParams,
      response: { 200: ApiKeyCreateResponse, ...errors },
      detail: { tags, summary: "New secret for the same key id" },
    });
}
