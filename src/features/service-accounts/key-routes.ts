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
import { requestMeta } from "../../http/request-context.ts";
import type { RequestMeta } from "../../infra/events.ts";

export function serviceAccountKeyRoutes(ctx: AppContext) {
  const deps = keyDeps(ctx);
  /** The account as a key owner, after the organization check for writes. */
  async function owner(slug: string, caller: Principal, meta?: RequestMeta) {
    const { row, memberships } = await loadAccount(ctx.infra.sql, caller, slug, "Service account not found");
    // Reads pass no meta; writes need the organization check, and its denial is audited with the request.
    if (meta) requireOverAccount(ctx.events, caller, meta, "service_account:update", memberships);
    return { kind: "service_account" as const, id: row.id };
  }

  return new Elysia({ name: "imbi.service-account-keys", prefix: "/service-accounts/:slug/api-keys" })
    .use(ctx.auth)
    .get("", async (c) => listApiKeys(deps, await owner(c.params.slug, c.principal)), {
      permission: "service_account:read",
      params: SlugParams,
      response: { 200: t.Array(ApiKeyResponse), ...errors },
      detail: { tags, summary: "The account's API keys, newest first" },
    })
    .post("", async (c) => {
      const meta = requestMeta(c);
      const created = await createApiKey(deps, c.principal, await owner(c.params.slug, c.principal, meta), c.body, meta);
      c.set.status = 201;
      return created;
    }, {
      permission: "service_account:update",
      params: SlugParams,
      body: ApiKeyCreateBody,
      response: { 201: ApiKeyCreateResponse, ...errors },
      detail: { tags, summary: "Create an API key for the account; the full key is returned only now" },
    })
    .delete("/:key_id", async (c) => {
      const meta = requestMeta(c);
      await revokeApiKey(deps, c.principal, await owner(c.params.slug, c.principal, meta), c.params.key_id, meta);
      c.set.status = 204;
    }, {
      permission: "service_account:update",
      params: KeyParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Revoke one of the account's API keys" },
    })
    .post("/:key_id/rotate", async (c) => {
      const meta = requestMeta(c);
      return rotateApiKey(deps, c.principal, await owner(c.params.slug, c.principal, meta), c.params.key_id, meta);
    }, {
      permission: "service_account:update",
      params: KeyParams,
      response: { 200: ApiKeyCreateResponse, ...errors },
      detail: { tags, summary: "New secret for the same key id" },
    });
}
