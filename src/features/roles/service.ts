/**
 * Role rules (reference-auth §12.5): system roles are immutable through the API, slugs are D2
 * slugs and unique, inheritance (parent_role) never forms a cycle, and a role that members
 * or child roles still depend on is not deleted (D2).
 */
import type { Operation } from "fast-json-patch";
import type { Database } from "../../infra/postgres.ts";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import { ConflictError, InputError, NotAllowedError, NotFoundError } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY } from "../../http/json-patch.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { checkPatched, usersWithRole } from "../users/service.ts";
import { RolePatchDocument, type Permission, type RoleCreate, type RoleDetail, type RoleSummary } from "./model.ts";
import {
  ancestorIds, childSlugs, deleteRole, findRole, findRoleById, grantPermission, holderCounts, insertRole, listPermissions,
  listRoles, permissionExists, permissionsOf, revokePermission, serviceAccountsWithRole, toRoleProps, updateRole,
  type RoleCounts, type RoleFields, type RoleRecord,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export { Permission } from "./model.ts";

export interface RolesDeps {
  sql: Database;
  events: EventBus;
  /** The API prefix, for relationship links. */
  prefix: string;
}

type Role = RoleRecord & RoleCounts;

function relationships(deps: RolesDeps, role: Role) {
  const base = `${deps.prefix}/roles/${encodeURIComponent(role.slug)}`;
  return {
    permissions: { href: `${base}/permissions`, count: role.permission_count },
    users: { href: `${base}/users`, count: role.user_count },
  };
}

async function roleOr404(deps: RolesDeps, slug: string): Promise<Role> {
  const role = await findRole(deps.sql, slug);
  if (!role) throw new NotFoundError(`Role with slug '${slug}' not found`);
  return role;
}

const uniqueSlug = (slug: string) => (error: { code?: string }) => {
  if (error.code === "23505") throw new ConflictError(`Role with slug '${slug}' already exists`);
  throw error;
};

export const allPermissions = (sql: Database): Promise<Permission[]> => listPermissions(sql);

export async function listAllRoles(deps: RolesDeps): Promise<RoleSummary[]> {
  return (await listRoles(deps.sql)).map((role) => ({ ...toRoleProps(role), relationships: relationships(deps, role) }));
}

export async function getRole(deps: RolesDeps, slug: string): Promise<RoleDetail> {
  const role = await roleOr404(deps, slug);
  const parent = role.parent_role_id ? await findRoleById(deps.sql, role.parent_role_id) : undefined;
  return {
    ...toRoleProps(role),
    permissions: await permissionsOf(deps.sql, role.id),
    parent_role: parent ? toRoleProps(parent) : null,
    relationships: relationships(deps, role),
  };
}

/** The parent's id; 400 when it does not exist, 409 when inheriting from it would form a cycle. */
async function parentIdFor(deps: RolesDeps, parentSlug: string | null | undefined, self?: RoleRecord): Promise<string | null> {
  if (parentSlug === null || parentSlug === undefined) return null;
  const parent = await findRole(deps.sql, parentSlug);
  if (!parent) throw new InputError(`Parent role '${parentSlug}' not found`);
  if (self && parent.id === self.id) throw new ConflictError(`Role '${self.slug}' cannot inherit from itself`);
  if (self && (await ancestorIds(deps.sql, parent.id)).includes(self.id)) {
    throw new ConflictError(`Role '${self.slug}' cannot inherit from '${parent.slug}': '${parent.slug}' already inherits from '${self.slug}'`);
  }
  return parent.id;
}

export async function createRole(deps: RolesDeps, principal: Principal, body: RoleCreate, meta: RequestMeta): Promise<RoleDetail> {
  if (body.is_system) throw new InputError("Cannot create system role");
  if (await findRole(deps.sql, body.slug)) throw new ConflictError(`Role with slug '${body.slug}' already exists`);
  const fields: RoleFields = {
    slug: body.slug, name: body.name, description: body.description ?? null, icon: body.icon ?? null,
    priority: body.priority ?? 0, parent_role_id: await parentIdFor(deps, body.parent_role),
  };
  await insertRole(deps.sql, { id: newId(), ...fields }).catch(uniqueSlug(body.slug));
  deps.events.emit({ type: "role.created", outcome: "success", ...auditActor(principal, meta), detail: { role: body.slug, parent_role: body.parent_role ?? null } });
  return getRole(deps, body.slug);
}

export async function patchRole(
  deps: RolesDeps, principal: Principal, slug: string, operations: Operation[], meta: RequestMeta,
): Promise<RoleDetail> {
  const role = await roleOr404(deps, slug);
  if (role.is_system) throw new InputError("Cannot modify system role");
  const parent = role.parent_role_id ? await findRoleById(deps.sql, role.parent_role_id) : undefined;
  const current: RolePatchDocument = { ...toRoleProps(role), parent_role: parent?.slug ?? null };
  const readOnly = [...DEFAULT_READ_ONLY, "/is_system", "/is_default", "/permissions"];
  const patched = checkPatched(RolePatchDocument, applyJsonPatch(current, operations, readOnly));
  if (patched.slug !== role.slug && (await findRole(deps.sql, patched.slug))) {
    throw new ConflictError(`Role with slug '${patched.slug}' already exists`);
  }
  const fields: RoleFields = {
    slug: patched.slug, name: patched.name, description: patched.description, icon: patched.icon, priority: patched.priority,
    parent_role_id: patched.parent_role === current.parent_role ? role.parent_role_id : await parentIdFor(deps, patched.parent_role, role),
  };
  await updateRole(deps.sql, role.id, fields).catch(uniqueSlug(patched.slug));
  deps.events.emit({
    type: "role.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { role: patched.slug, previous_slug: role.slug, paths: operations.map((o) => o.path) },
  });
  return getRole(deps, patched.slug);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function removeRole(deps: RolesDeps, principal: Principal, slug: string, meta: RequestMeta): Promise<void> {
  const role = await roleOr404(deps, slug);
  if (role.is_system) throw new InputError("Cannot delete system role");
  const holders = await holderCounts(deps.sql, role.id);
  if (holders.users || holders.service_accounts) {
    throw new ConflictError(`Role '${slug}' is held by ${plural(holders.users, "user")} and ${plural(holders.service_accounts, "service account")}; assign them another role first`);
  }
  const children = await childSlugs(deps.sql, role.id);
  if (children.length) throw new ConflictError(`Role '${slug}' is inherited by role(s): ${children.join(", ")}`);
  await deleteRole(deps.sql, role.id);
  deps.events.emit({ type: "role.deleted", outcome: "success", ...auditActor(principal, meta), detail: { role: slug } });
}

function refuseSystemRole(role: Role): void {
  if (role.is_system) {
    throw new NotAllowedError(`Role '${role.slug}' is a system role; its permissions are managed by the seed and cannot be changed via the API`);
  }
}

export async function grant(deps: RolesDeps, principal: Principal, slug: string, permission: string, meta: RequestMeta): Promise<void> {
  const role = await roleOr404(deps, slug);
  refuseSystemRole(role);
  if (!(await permissionExists(deps.sql, permission))) throw new NotFoundError(`Permission '${permission}' not found`);
  const added = await grantPermission(deps.sql, role.id, permission);
  deps.events.emit({
    type: "role.permission_granted", outcome: "success", ...auditActor(principal, meta),
    detail: { role: slug, permission, already_granted: !added },
  });
}

export async function revoke(deps: RolesDeps, principal: Principal, slug: string, permission: string, meta: RequestMeta): Promise<void> {
  const role = await roleOr404(deps, slug);
  refuseSystemRole(role);
  if (!(await revokePermission(deps.sql, role.id, permission))) throw new NotFoundError(`Permission '${permission}' not granted to role '${slug}'`);
  deps.events.emit({ type: "role.permission_revoked", outcome: "success", ...auditActor(principal, meta), detail: { role: slug, permission } });
}

export async function roleUsers(deps: RolesDeps, slug: string) {
  return usersWithRole(deps.sql, (await roleOr404(deps, slug)).id);
}

export async function roleServiceAccounts(deps: RolesDeps, slug: string) {
  return serviceAccountsWithRole(deps.sql, (await roleOr404(deps, slug)).id);
}
