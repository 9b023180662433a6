/**
 * GET /admin/settings: what the admin screens pick from (every permission, provider types,
 * authentication methods). Like the reference, any authenticated principal may read it: it
 * is metadata, and role editors who are not is_admin need the permission list.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { allPermissions } from "../roles/service.ts";
import { AdminSettings, ErrorBody } from "./model.ts";

/** ADR 0009's provider types. */
const OAUTH_PROVIDER_TYPES = ["google", "github", "oidc"];

export function adminSettingsRoutes(ctx: AppContext) {
  return new Elysia({ name: "imbi.admin.settings", prefix: "/admin" })
    .use(ctx.auth)
    .get("/settings", async () => ({
      permissions: await allPermissions(ctx.infra.sql),
      oauth_provider_types: OAUTH_PROVIDER_TYPES,
      auth_methods: ["jwt", "api_key"],
      auth_types: ["oauth", "password"],
    }), {
      auth: true,
      response: { 200: AdminSettings, 401: ErrorBody },
      detail: { tags: ["Admin"], summary: "Reference data for the admin UI: permissions, provider types, auth methods" },
    });
}
