/** /admin/oauth-providers (ADR 0009): list, read, upsert and delete login providers. */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ErrorBody, ProviderRead, ProviderWrite, SlugParams } from "./model.ts";
import type { ProviderStore } from "./service.ts";

const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const tags = ["OAuth Providers"];

export function oauthProviderRoutes(ctx: AppContext, store: ProviderStore) {
  return new Elysia({ name: "imbi.oauth-providers", prefix: "/admin/oauth-providers" })
    .use(ctx.auth)
    .get("", () => store.list(), {
      permission: "oauth-providers:read",
      response: { 200: t.Array(ProviderRead), ...errors },
      detail: { tags, summary: "Every login provider, by slug (secrets are never returned: see has_secret)" },
    })
    .get("/:slug", ({ params }) => store.get(params.slug), {
      permission: "oauth-providers:read",
      params: SlugParams,
      response: { 200: ProviderRead, ...errors },
      detail: { tags, summary: "One login provider" },
    })
    .put("/:slug", async (c) => {
      const { provider, created } = await store.put(c.principal, c.params.slug, c.body, requestMeta(c));
      c.set.status = created ? 201 : 200;
      return provider;
    }, {
      permission: "oauth-providers:write",
      params: SlugParams,
      body: ProviderWrite,
      response: { 200: ProviderRead, 201: ProviderRead, ...errors },
      detail: {
        tags,
        summary: "Create or replace a login provider. client_secret is write-only: absent keeps the stored one, null or \"\" removes it",
      },
    })
    .delete("/:slug", async (c) => {
      await store.remove(c.principal, c.params.slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "oauth-providers:write",
      params: SlugParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete a login provider and the identities linked through it" },
    });
}
