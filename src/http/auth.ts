/**
 * Authentication and authorization as route options (Elysia macros):
 *   { auth: true }       any principal (user or service account, JWT or API key)
 *   { auth: "user" }     a human user; service accounts get 403
 *   { permission: "x" }  a principal holding x in the organization named by :org_slug
 *                        (D2), or in any of its organizations when the path names none
 * Denials are emitted as permission.denied events for the audit log.
 *
 * The checks run in `transform`, before body validation, so an unauthenticated or
 * unauthorized caller learns 401/403, never how to shape a valid body (422). `resolve`
 * then hands the principal to the handler.
 *
 * Bearer tokens bound to a resource (OAuth `aud`) must be bound to the API as the caller
 * reached it (oauth-server/resources.ts); tokens minted for /mcp are refused here.
 */
import { Elysia } from "elysia";
import type { EventBus } from "../infra/events.ts";
import { AuthenticationError, NotAllowedError } from "./errors.ts";
import { requestMeta } from "./request-context.ts";
import { authenticate, bearerToken, type AuthenticateDeps } from "../features/auth/authenticate.ts";
import { hasPermission, type Principal } from "../features/auth/principal.ts";
import { apiResourceUrl } from "../features/oauth-server/resources.ts";
import type { RequestOriginSource } from "./urls.ts";
import type { Settings } from "../config/settings.ts";

export interface AuthPluginDeps extends AuthenticateDeps {
  events: EventBus;
  /** For the API's resource URL, the audience required of tokens that carry one. */
  server: Settings["server"];
  /** Called for every API-key request (per-key rate limit, usage metrics). */
  onApiKeyRequest?: (principal: Principal, request: Request) => Promise<void>;
}

export function authPlugin(deps: AuthPluginDeps) {
  async function principalOf(source: RequestOriginSource): Promise<Principal> {
    const { request } = source;
    const token = bearerToken(request);
    if (!token) throw new AuthenticationError("Missing authentication credentials");
    const principal = await authenticate(deps, token, { resource: apiResourceUrl(deps.server, source) });
    if (principal.authMethod === "api_key") await deps.onApiKeyRequest?.(principal, request);
    return principal;
  }

  const principals = new WeakMap<Request, Principal>();
  const principalFor = ({ request }: { request: Request }) => ({ principal: principals.get(request)! });

  async function requireUser(source: RequestOriginSource, mode: true | "user"): Promise<void> {
    const { request } = source;
    const principal = await principalOf(source);
    if (mode === "user" && principal.kind !== "user") throw new NotAllowedError("This endpoint requires user authentication");
    principals.set(request, principal);
  }

  async function requirePermission(ctx: { request: Request; params?: unknown }, permission: string): Promise<void> {
    const { request, params } = ctx;
    const principal = await principalOf(ctx);
    const org = (params as Record<string, string | undefined> | undefined)?.org_slug;
    if (!hasPermission(principal, permission, org)) {
      const meta = requestMeta(ctx);
      deps.events.emit({
        type: "permission.denied", outcome: "failure", actor_type: principal.kind, actor_id: principal.id,
        actor_name: principal.name, ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { permission, organization: org ?? null, path: new URL(request.url).pathname },
      });
      throw new NotAllowedError(`Permission denied: ${permission} required`);
    }
    principals.set(request, principal);
  }

  return new Elysia({ name: "imbi.auth" }).macro({
    auth: (mode: true | "user") => ({
      transform: (ctx) => requireUser(ctx as RequestOriginSource, mode),
      resolve: principalFor,
    }),
    permission: (permission: string) => ({
      transform: (ctx) => requirePermission(ctx, permission),
      resolve: principalFor,
    }),
  });
}

export type AuthPlugin = ReturnType<typeof authPlugin>;
