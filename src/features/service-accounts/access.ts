/**
 * Organization-scoped access to service accounts (D2), beyond the route's permission macro
 * (which only proves the permission in some organization):
 *   - a write naming an organization needs the permission in that organization;
 *   - anything done to an account needs the permission in one of the organizations the
 *     account belongs to, so an administrator of org B can neither see nor take over org A's
 *     accounts (and with them org A's permissions). An account in no organization is open
 *     to anyone holding the permission somewhere.
 * Denied reads look like absence (404 / left out of lists); denied writes are 403.
 * `is_admin` users pass (within their scopes); service accounts never bypass.
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import { auditActor } from "../audit/actor.ts";
import { NotAllowedError } from "../../http/errors.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";

type Memberships = { organization_slug: string }[];

function deny(events: EventBus, principal: Principal, meta: RequestMeta, permission: string, organization: string | null): never {
  events.emit({ type: "permission.denied", outcome: "failure", ...auditActor(principal, meta), detail: { permission, organization } });
  throw new NotAllowedError(`Permission denied: ${permission} required`);
}

export function mayActOnAccount(principal: Principal, permission: string, memberships: Memberships): boolean {
  return memberships.length === 0
    ? hasPermission(principal, permission)
    : memberships.some((m) => hasPermission(principal, permission, m.organization_slug));
}

export function requireInOrganization(events: EventBus, principal: Principal, meta: RequestMeta, permission: string, organizationSlug: string): void {
  if (!hasPermission(principal, permission, organizationSlug)) deny(events, principal, meta, permission, organizationSlug);
}

export function requireOverAccount(events: EventBus, principal: Principal, meta: RequestMeta, permission: string, memberships: Memberships): void {
  if (!mayActOnAccount(principal, permission, memberships)) {
    deny(events, principal, meta, permission, memberships.map((m) => m.organization_slug).join(",") || null);
  }
}
