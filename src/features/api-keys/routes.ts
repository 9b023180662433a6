/** /api-keys: the signed-in user's own API keys (service accounts get 403). */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { ApiKeyCreateBody, ApiKeyCreateResponse, ApiKeyResponse, ErrorBody, KeyIdParams } from "./model.ts";
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, type ApiKeyDeps } from "./service.ts";
import { requestMeta } from "../../http/request-context.ts";

export const apiKeyDeps = (ctx: AppContext): ApiKeyDeps => ({
  sql: ctx.infra.sql, events: ctx.events, maxLifetimeDays: ctx.settings.auth.api_key_max_lifetime_days,
});

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const tags = ["API Keys"];

export function apiKeyRoutes(ctx: AppContext) {
  const deps = apiKeyDeps(ctx);
  const self = (principal: { id: string }) => ({ kind: "user" as const, id: principal.id });

  return new Elysia({ name: "imbi.api-keys", prefix: "/api-keys" })
    .use(ctx.auth)
    .post("", async (c) => {
      const created = await createApiKey(deps, c.principal, self(c.principal), c.body, requestMeta(c));
      c.set.status = 201;
      return created;
    }, {
      auth: "user",
      body: ApiKeyCreateBody,
      response: { 201: ApiKeyCreateResponse, ...errors },
      detail: { tags, summary: "Create an API key; the full key is returned only now" },
    })
    .get("", (c) => listApiKeys(deps, self(c.principal)), {
      auth: "user",
      response: { 200: t.Array(ApiKeyResponse), ...errors },
      detail: { tags, summary: "The caller's API keys, newest first, revoked ones included" },
    })
    .delete("/:key_id", async (c) => {
      await revokeApiKey(deps, c.principal, self(c.principal), c.params.key_id, requestMeta(c));
      c.set.status = 204;
    }, {
      auth: "user",
      params: KeyIdParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Revoke an API key (it stops working at once)" },
    })
    .post("/:key_id/rotate", (c) => rotateApiKey(deps, c.principal, self(c.principal), c.params.key_id, requestMeta(c)), {
      auth: "user",
      params: KeyIdParams,
      response: { 200: ApiKeyCreateResponse, ...errors },
      detail: { tags, summary: "New secret for the same key id; the old secret stops working" },
    });
}
