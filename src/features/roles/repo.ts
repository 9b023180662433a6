/** Roles, their grants, inheritance and holders: SQL and row → API mapping. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";
import type { Permission, RoleProps, ServiceAccountResponse } from "./model.ts";

type Sql = Database | TransactionSql;

export interface RoleRecord {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  priority: number;
  is_system: boolean;
  is_default: boolean;
  parent_role_id: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface RoleCounts {
  permission_count: number;
  user_count: number;
}

export type RoleFields = Pick<RoleRecord, "slug" | "name" | "description" | "icon" | "priority" | "parent_role_id">;

/** PostgreSQL text cannot hold NUL; such a key can name nothing. */
const storable = (value: string) => !value.includes("\u0000");

export function toRoleProps(row: RoleRecord): RoleProps {
  return {
    id: row.id, name: row.name, slug: row.slug, description: row.description, icon: row.icon, priority: row.priority,
    is_system: row.is_system, is_default: row.is_default,
    created_at: row.created_at.toISOString(), updated_at: row.updated_at?.toISOString() ?? null,
  };
}

const COUNTS = (sql: Sql) => sql`
  (select count(*)::int from role_permissions rp where rp.role_id = r.id) as permission_count,
  (select count(distinct m.user_id)::int from organization_memberships m where m.role_id = r.id) as user_count`;

export async function listRoles(sql: Sql): Promise<(RoleRecord & RoleCounts)[]> {
  return sql<(RoleRecord & RoleCounts)[]>`select r.*, ${COUNTS(sql)} from roles r order by r.priority desc, r.name, r.slug`;
}

export async function findRole(sql: Sql, slug: string): Promise<(RoleRecord & RoleCounts) | undefined> {
  if (!storable(slug)) return undefined;
  const [row] = await sql<(RoleRecord & RoleCounts)[]>`select r.*, ${COUNTS(sql)} from roles r where r.slug = ${slug}`;
  return row;
}

export async function findRoleById(sql: Sql, id: string): Promise<RoleRecord | undefined> {
  const [row] = await sql<RoleRecord[]>`select * from roles where id = ${id}`;
  return row;
}

export async function insertRole(sql: Sql, role: RoleFields & { id: string }): Promise<void> {
  await sql`insert into roles ${sql(role)}`;
}

export async function updateRole(sql: Sql, id: string, fields: RoleFields): Promise<void> {
  await sql`update roles set ${sql(fields)}, updated_at = now() where id = ${id}`;
}

export async function deleteRole(sql: Sql, id: string): Promise<void> {
  await sql`delete from roles where id = ${id}`;
}

/** The role's ancestors through parent_role_id (cycle-safe: `union` stops at a repeat). */
export async function ancestorIds(sql: Sql, roleId: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    with recursive chain (id) as (
      select parent_role_id from roles where id = ${roleId} and parent_role_id is not null
      union
      select r.parent_role_id from chain c join roles r on r.id = c.id where r.parent_role_id is not null
    )
    select id from chain`;
  return rows.map((r) => r.id);
}

export async function childSlugs(sql: Sql, roleId: string): Promise<string[]> {
  const rows = await sql<{ slug: string }[]>`select slug from roles where parent_role_id = ${roleId} order by slug`;
  return rows.map((r) => r.slug);
}

export async function holderCounts(sql: Sql, roleId: string): Promise<{ users: number; service_accounts: number }> {
  const [row] = await sql<{ users: number; service_accounts: number }[]>`
    select (select count(distinct user_id)::int from organization_memberships where role_id = ${roleId}) as users,
           (select count(distinct service_account_id)::int from service_account_memberships where role_id = ${roleId}) as service_accounts`;
  return row!;
}

export async function listPermissions(sql: Sql): Promise<Permission[]> {
  return sql<Permission[]>`select name, resource_type, action, description from permissions order by name`;
}

export async function permissionsOf(sql: Sql, roleId: string): Promise<Permission[]> {
  return sql<Permission[]>`
    select p.name, p.resource_type, p.action, p.description
    from role_permissions rp join permissions p on p.name = rp.permission_name
    where rp.role_id = ${roleId} order by p.name`;
}

export async function permissionExists(sql: Sql, name: string): Promise<boolean> {
  if (!storable(name)) return false;
  const rows = await sql`select 1 from permissions where name = ${name}`;
  return rows.length === 1;
}

/** True when the grant is new. */
export async function grantPermission(sql: Sql, roleId: string, name: string): Promise<boolean> {
  const rows = await sql`
    insert into role_permissions (role_id, permission_name) values (${roleId}, ${name}) on conflict do nothing returning role_id`;
  return rows.length === 1;
}

/** False when the role did not have it. */
export async function revokePermission(sql: Sql, roleId: string, name: string): Promise<boolean> {
  if (!storable(name)) return false;
  const rows = await sql`delete from role_permissions where role_id = ${roleId} and permission_name = ${name} returning role_id`;
  return rows.length === 1;
}

interface ServiceAccountRow {
  id: string;
  slug: string;
  display_name: string;
  description: string | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date | null;
  last_authenticated: Date | null;
  avatar_url: string | null;
}

/** Service accounts holding the role in some organization, with all their memberships. */
export async function serviceAccountsWithRole(sql: Sql, roleId: string): Promise<ServiceAccountResponse[]> {
  const accounts = await sql<ServiceAccountRow[]>`
    select * from service_accounts s
    where exists (select 1 from service_account_memberships m where m.service_account_id = s.id and m.role_id = ${roleId})
    order by slug`;
  if (!accounts.length) return [];
  const memberships = await sql<{ service_account_id: string; organization_name: string; organization_slug: string; role: string }[]>`
    select m.service_account_id, o.name as organization_name, o.slug as organization_slug, r.slug as role
    from service_account_memberships m join organizations o on o.id = m.organization_id join roles r on r.id = m.role_id
    where m.service_account_id in ${sql(accounts.map((a) => a.id))} order by o.name, o.slug`;
  return accounts.map((a) => ({
    slug: a.slug, display_name: a.display_name, description: a.description, is_active: a.is_active,
    created_at: a.created_at.toISOString(), updated_at: a.updated_at?.toISOString() ?? null, last_authenticated: a.last_authenticated?.toISOString() ?? null, avatar_url: a.avatar_url,
    organizations: memberships.filter((m) => m.service_account_id === a.id)
      .map(({ organization_name, organization_slug, role }) => ({ organization_name, organization_slug, role })),
  }));
}
