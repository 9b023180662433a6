/**
 * A user's organization memberships (POST/PATCH/DELETE /users/{email}/organizations...).
 * Each write needs user:update in the organization it touches (D2): the permission macro
 * checks it when the organization is in the path, addMembership checks the body's.
 */
import type { Operation } from "fast-json-patch";
import type { RequestMeta } from "../../infra/events.ts";
import { InputError, NotAllowedError, NotFoundError } from "../../http/errors.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import { findOrganizationIds, findRoleIds, removeMembership, setMembershipRole, upsertMembership } from "./repo.ts";
import { findUserOr404, type UsersDeps } from "./service.ts";
import { auditActor } from "../audit/actor.ts";

/** The one operation the reference accepts: replace (or add) /role_slug with a non-empty string. */
export function roleSlugOf(operations: Operation[]): string {
  if (operations.length !== 1) throw new InputError("Membership patch must contain exactly one operation");
  const [operation] = operations as [Operation & { value?: unknown }];
  if (operation.op !== "replace" && operation.op !== "add") throw new InputError("Membership patch op must be 'replace' or 'add'");
  if (operation.path !== "/role_slug") throw new InputError("Membership patch path must be '/role_slug'");
  if (typeof operation.value !== "string" || !operation.value.trim()) throw new InputError("role_slug value must be a non-empty string");
  return operation.value;
}

async function organizationIdOf(deps: UsersDeps, slug: string): Promise<string | undefined> {
  return (await findOrganizationIds(deps.sql, [slug])).get(slug);
}

async function roleIdOr404(deps: UsersDeps, slug: string): Promise<string> {
  const roleId = (await findRoleIds(deps.sql, [slug])).get(slug);
  if (!roleId) throw new NotFoundError(`Role '${slug}' not found`);
  return roleId;
}

const notMember = (email: string, org: string) => new NotFoundError(`User '${email}' is not a member of organization '${org}'`);

export async function addMembership(
  deps: UsersDeps, principal: Principal, email: string, body: { organization_slug: string; role_slug: string }, meta: RequestMeta,
): Promise<void> {
  if (!hasPermission(principal, "user:update", body.organization_slug)) throw new NotAllowedError("Permission denied: user:update required");
  const user = await findUserOr404(deps.sql, email);
  const organizationId = await organizationIdOf(deps, body.organization_slug);
  if (!organizationId) throw new NotFoundError(`Organization '${body.organization_slug}' not found`);
  const roleId = await roleIdOr404(deps, body.role_slug);
  await upsertMembership(deps.sql, user.id, organizationId, roleId);
  deps.events.emit({
    type: "user.membership_set", outcome: "success", ...auditActor(principal, meta),
    detail: { email: user.email, organization: body.organization_slug, role: body.role_slug },
  });
}

export async function changeMembershipRole(
  deps: UsersDeps, principal: Principal, email: string, orgSlug: string, operations: Operation[], meta: RequestMeta,
): Promise<void> {
  const roleSlug = roleSlugOf(operations);
  const user = await findUserOr404(deps.sql, email);
  const roleId = await roleIdOr404(deps, roleSlug);
  const organizationId = await organizationIdOf(deps, orgSlug);
  if (!organizationId || !(await setMembershipRole(deps.sql, user.id, organizationId, roleId))) throw notMember(user.email, orgSlug);
  deps.events.emit({
    type: "user.membership_set", outcome: "success", ...auditActor(principal, meta),
    detail: { email: user.email, organization: orgSlug, role: roleSlug },
  });
}

export async function leaveOrganization(
  deps: UsersDeps, principal: Principal, email: string, orgSlug: string, meta: RequestMeta,
): Promise<void> {
  const user = await findUserOr404(deps.sql, email);
  const organizationId = await organizationIdOf(deps, orgSlug);
  if (!organizationId || !(await removeMembership(deps.sql, user.id, organizationId))) throw notMember(user.email, orgSlug);
  deps.events.emit({
    type: "user.membership_removed", outcome: "success", ...auditActor(principal, meta),
    detail: { email: user.email, organization: orgSlug },
  });
}
