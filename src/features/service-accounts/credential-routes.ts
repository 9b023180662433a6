/** /service-accounts/{slug}/client-credentials: list (read), create / revoke / rotate (update). */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../auth/principal.ts";
import { ClientCredentialCreateBody, ClientCredentialCreateResponse, ClientCredentialResponse, ClientParams, SlugParams } from "./model.ts";
import { createCredential, listCredentials, revokeCredential, rotateCredential } from "./credential-service.ts";
import { loadAccount } from "./service.ts";
import { requireOverAccount } from "./access.ts";
import { errors, keyDeps, tags } from "./routes.ts";
import { requestMeta } from "../../http/request-context.ts";
import type { RequestMeta } from "../../infra/events.ts";

export function serviceAccountCredentialRoutes(ctx: AppContext) {
  const deps = keyDeps(ctx);
  async function account(slug: string, caller: Principal, meta?: RequestMeta) {
    const { row, memberships } = await loadAccount(ctx.infra.sql, caller, slug, "Service account not found");
    // Reads pass no meta; writes need the organization check, and its denial is audited with the request.
    if (meta) requireOverAccount(ctx.events, caller, meta, "service_account:update", memberships);
    return { id: row.id, slug: row.slug };
  }

  return new Elysia({ name: "imbi.service-account-credentials", prefix: "/service-accounts/:slug/client-credentials" })
    .use(ctx.auth)
    .get("", async (c) => listCredentials(deps, await account(c.params.slug, c.principal)), {
      permission: "service_account:read",
      params: SlugParams,
      response: { 200: t.Array(ClientCredentialResponse), ...errors },
      detail: { tags, summary: "The account's client credentials, newest first" },
    })
    .post("", async (c) => {
      const meta = requestMeta(c);
      const created = await createCredential(deps, c.principal, await account(c.params.slug, c.principal, meta), c.body, meta);
      c.set.status = 201;
      return created;
    }, {
      permission: "service_account:update",
      params: SlugParams,
      body: ClientCredentialCreateBody,
      response: { 201: ClientCredentialCreateResponse, ...errors },
      detail: { tags, summary: "Create a client credential; the secret is returned only now" },
    })
    .delete("/:client_id", async (c) => {
      const meta = requestMeta(c);
      await revokeCredential(deps, c.principal, await account(c.params.slug, c.principal, meta), c.params.client_id, meta);
      c.set.status = 204;
    }, {
      permission: "service_account:update",
      params: ClientParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Revoke a client credential (no new tokens; issued ones run to expiry)" },
    })
    .post("/:client_id/rotate", async (c) => {
      const meta = requestMeta(c);
      return rotateCredential(deps, c.principal, await account(c.params.slug, c.principal, meta), c.params.client_id, meta);
    }, {
      permission: "service_account:update",
      params: ClientParams,
      response: { 200: ClientCredentialCreateResponse, ...errors },
      detail: { tags, summary: "New secret for the same client id" },
    });
}
