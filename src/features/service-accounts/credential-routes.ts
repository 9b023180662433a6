/** /service-accounts/{slug}/client-credentials: list (read), create / revoke / rotate (update). */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import type { Principal } from "../auth/principal.ts";
import { ClientCredentialCreateBody, ClientCredentialCreateResponse, ClientCredentialResponse, ClientParams, SlugParams } from "./model.ts";
import { createCredential, listCredentials, revokeCredential, rotateCredential } from "./credential-service.ts";
import { loadAccount } from "./service.ts";
import { requireOverAccount } from "./access.ts";
import { errors, keyDeps, tags } from "./routes.ts";

export function serviceAccountCredentialRoutes(ctx: AppContext) {
  const deps = keyDeps(ctx);
  async function account(slug: string, caller: Principal, write = false) {
    const { row, memberships } = await loadAccount(ctx.infra.sql, caller, slug, "Service account not found");
    if (write) requireOverAccount(ctx.events, caller, "service_account:update", memberships);
    return { id: row.id, slug: row.slug };
  }

  return new Elysia({ name: "imbi.service-account-credentials", prefix: "/service-accounts/:slug/client-credentials" })
    .use(ctx.auth)
    .get("", async ({ principal, params }) => listCredentials(deps, await account(params.slug, principal)), {
      permission: "service_account:read",
      params: SlugParams,
      response: { 200: t.Array(ClientCredentialResponse), ...errors },
      detail: { tags, summary: "The account's client credentials, newest first" },
    })
    .post("", async ({ principal, params, body, set }) => {
      const created = await createCredential(deps, principal, await account(params.slug, principal, true), body);
      set.status = 201;
      return created;
    }, {
      permission: "service_account:update",
      params: SlugParams,
      body: ClientCredentialCreateBody,
      response: { 201: ClientCredentialCreateResponse, ...errors },
      detail: { tags, summary: "Create a client credential; the secret is returned only now" },
    })
    .delete("/:client_id", async ({ principal, params, set }) => {
      await revokeCredential(deps, principal, await account(params.slug, principal, true), params.client_id);
      set.status = 204;
    }, {
      permission: "service_account:update",
      params: ClientParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Revoke a client credential (no new tokens; issued ones run to expiry)" },
    })
    .post("/:client_id/rotate", async ({ principal, params }) => rotateCredential(deps, principal, await account(params.slug, principal, true), params.client_id), {
      permission: "service_account:update",
      params: ClientParams,
      response: { 200: ClientCredentialCreateResponse, ...errors },
      detail: { tags, summary: "New secret for the same client id" },
    });
}
