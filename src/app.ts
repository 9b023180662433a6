/**
 * The composition root: shared HTTP plumbing first (order matters in Elysia: a hook only
 * applies to routes registered after it), then every feature in one visible list, mounted
 * under the path of IMBI_API_URL. /openapi.json and /docs stay at the root.
 */
import { Elysia, type AnyElysia } from "elysia";
import { swagger } from "@elysiajs/swagger";
import type { Settings } from "./config/settings.ts";
import type { Infra } from "./infra/clients.ts";
import type { Logger } from "./infra/logger.ts";
import { errorHandler } from "./http/errors.ts";
import { requestContext } from "./http/request-context.ts";
import { corsPlugin } from "./http/cors.ts";
import { apiPrefix } from "./http/urls.ts";
import { docsRoutes } from "./features/docs/routes.ts";
import { blueprintOpenApi } from "./features/blueprints/openapi.ts";
import { statusRoutes } from "./features/status/routes.ts";
import { createStatusService } from "./features/status/service.ts";
import { VERSION } from "./version.ts";
import { createContext, type AppContext } from "./context.ts";
import { authRoutes } from "./features/auth/routes.ts";
import { mfaRoutes } from "./features/mfa/routes.ts";
import { usersRoutes } from "./features/users/routes.ts";
import { rolesRoutes } from "./features/roles/routes.ts";
import { adminSettingsRoutes } from "./features/admin/settings-routes.ts";
import { apiKeyRoutes } from "./features/api-keys/routes.ts";
import { serviceAccountRoutes } from "./features/service-accounts/routes.ts";
import { serviceAccountMembershipRoutes } from "./features/service-accounts/membership-routes.ts";
import { serviceAccountKeyRoutes } from "./features/service-accounts/key-routes.ts";
import { serviceAccountCredentialRoutes } from "./features/service-accounts/credential-routes.ts";
import { oauthTokenRoutes } from "./features/oauth-server/token.ts";
import { oauthAuthorizeRoutes } from "./features/oauth-server/authorize.ts";
import { oauthRegisterRoutes } from "./features/oauth-server/register.ts";
import { oauthWellKnownRoutes } from "./features/oauth-server/metadata.ts";
import { organizationRoutes } from "./features/organizations/routes.ts";
import { orgResourceRoutes } from "./features/catalog/org-resource-routes.ts";
import { TEAMS } from "./features/teams/spec.ts";
import { teamMemberRoutes } from "./features/teams/members.ts";
import { ENVIRONMENTS } from "./features/environments/spec.ts";
import { PROJECT_TYPES } from "./features/project-types/spec.ts";
import { TAGS } from "./features/tags/spec.ts";
import { LINK_DEFINITIONS } from "./features/link-definitions/spec.ts";
import { projectRoutes } from "./features/projects/routes.ts";
import { blueprintRoutes } from "./features/blueprints/routes.ts";
import { releaseRoutes } from "./features/releases/routes.ts";
import { documentRoutes } from "./features/documents/routes.ts";
import { uploadRoutes } from "./features/uploads/routes.ts";
import { webUiRoutes } from "./features/web-ui/routes.ts";
import { emailRoutes } from "./features/email/routes.ts";
import { operationsLogRoutes } from "./features/operations-log/routes.ts";
import { eventRoutes } from "./features/events/routes.ts";
import { searchRoutes } from "./features/search/routes.ts";
import { createProviderStore } from "./features/oauth-providers/service.ts";
import { oauthProviderRoutes } from "./features/oauth-providers/routes.ts";
import { loginProviderRoutes } from "./features/oauth-providers/login-provider-routes.ts";
import { oauthLoginRoutes } from "./features/oauth-login/routes.ts";
import { webhookRoutes } from "./features/webhooks/routes.ts";
import { projectServiceRoutes } from "./features/project-services/routes.ts";
import { dashboardRoutes } from "./features/dashboard/routes.ts";
import { mcpRoutes } from "./features/mcp/routes.ts";

/*
 * The API is mounted in groups, each typed as AnyElysia: nobody consumes the route types
 * (no Eden client), and one chain of every feature exceeds TypeScript's instantiation depth.
 * Add a feature to the group it belongs to, or start a new group.
 */

/** Sign-in, users, roles and credentials. */
function identityApi(ctx: AppContext): AnyElysia {
  return new Elysia({ name: "imbi.api.identity" })
    .use(authRoutes(ctx))
    .use(mfaRoutes(ctx))
    .use(usersRoutes(ctx))
    .use(rolesRoutes(ctx))
    .use(adminSettingsRoutes(ctx))
    .use(apiKeyRoutes(ctx))
    .use(serviceAccountRoutes(ctx))
    .use(serviceAccountMembershipRoutes(ctx))
    .use(serviceAccountKeyRoutes(ctx))
    .use(serviceAccountCredentialRoutes(ctx));
}

/** The OAuth 2.0 authorization server: authorize (with consent), token, registration. */
function oauthServerApi(ctx: AppContext): AnyElysia {
  return new Elysia({ name: "imbi.api.oauth-server" })
    .use(oauthAuthorizeRoutes(ctx))
    .use(oauthTokenRoutes(ctx))
    .use(oauthRegisterRoutes(ctx));
}

/** Organizations and everything the catalog holds inside them. */
function catalogApi(ctx: AppContext): AnyElysia {
  return new Elysia({ name: "imbi.api.catalog" })
    .use(organizationRoutes(ctx))
    .use(orgResourceRoutes(ctx, TEAMS))
    .use(teamMemberRoutes(ctx))
    .use(orgResourceRoutes(ctx, ENVIRONMENTS))
    .use(orgResourceRoutes(ctx, PROJECT_TYPES))
    .use(orgResourceRoutes(ctx, TAGS))
    .use(orgResourceRoutes(ctx, LINK_DEFINITIONS))
    .use(projectRoutes(ctx))
    .use(blueprintRoutes(ctx))
    .use(releaseRoutes(ctx))
    .use(documentRoutes(ctx))
    .use(operationsLogRoutes(ctx))
    .use(eventRoutes(ctx))
    .use(webhookRoutes(ctx))
    .use(projectServiceRoutes(ctx))
    .use(dashboardRoutes(ctx));
}

/** Uploads and the email pages. */
function filesAndMailApi(ctx: AppContext): AnyElysia {
  return new Elysia({ name: "imbi.api.files-and-mail" })
    .use(emailRoutes(ctx))
    .use(uploadRoutes(ctx));
}

/** Login providers (ADR 0009), their admin views, and the upstream login; one store and cache shared by all. */
function oauthLoginApi(ctx: AppContext): AnyElysia {
  const store = createProviderStore({
    sql: ctx.infra.sql, valkey: ctx.infra.valkey, fernet: ctx.fernet, events: ctx.events, logger: ctx.logger,
    postgresUrl: ctx.settings.postgres.url,
  });
  return new Elysia({ name: "imbi.api.oauth-login" })
    .use(oauthProviderRoutes(ctx, store))
    .use(loginProviderRoutes(ctx, store))
    .use(oauthLoginRoutes(ctx, store));
}

/** Search across an organization's catalog (features/search; its worker lives in ctx.search). */
function searchApi(ctx: AppContext): AnyElysia {
  return new Elysia({ name: "imbi.api.search" }).use(searchRoutes(ctx, ctx.search));
}

export interface AppDeps {
  settings: Settings;
  infra: Infra;
  logger: Logger;
}

export function createApp({ settings, infra, logger }: AppDeps, ctx: AppContext = createContext(settings, infra, logger)) {
  const currentStatus = createStatusService({
    infra, logger, bucket: settings.storage.bucket, version: VERSION, environment: settings.server.environment,
    search: () => ctx.search.status(),
  });

  const api = new Elysia({ name: "imbi.api", prefix: apiPrefix(settings.server) })
    .use(statusRoutes(currentStatus))
    .use(identityApi(ctx))
    .use(oauthServerApi(ctx))
    .use(catalogApi(ctx))
    .use(searchApi(ctx))
    .use(filesAndMailApi(ctx))
    .use(oauthLoginApi(ctx));

  return new Elysia({ name: "imbi" })
    .use(errorHandler(logger))
    .use(requestContext({ logger, forwardedAllowIps: settings.server.forwarded_allow_ips }))
    .use(corsPlugin(settings.server.cors_allowed_origins))
    // Before swagger: the hook reaches /openapi.json only when registered ahead of it.
    .use(blueprintOpenApi(infra.sql))
    // path === specPath: the plugin's own UI page (which loads scripts from a CDN) is replaced by the spec.
    .use(swagger({
      path: "/openapi.json",
      specPath: "/openapi.json",
      documentation: {
        info: { title: "Imbi", version: VERSION, description: "DevOps service-management platform API" },
      },
    }))
    .use(docsRoutes())
    // RFC 8414 / RFC 9728 discovery lives at the host root, whatever the API prefix.
    .use(oauthWellKnownRoutes(ctx))
    // At the host root, not under the API prefix: MCP clients are given https://host/mcp.
    .use(mcpRoutes(ctx))
    .use(api)
    // Last, so every API route matches first (IMBI_API_UI_DIR unset: mounts nothing).
    .use(webUiRoutes({
      dir: settings.server.ui_dir, prefix: apiPrefix(settings.server), apiPaths: api.routes.map((r) => r.path),
    }));
}

export type App = ReturnType<typeof createApp>;
