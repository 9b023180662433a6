/** Loading principals and their per-organization permissions (roles with inheritance). */
import type { Database } from "../../infra/postgres.ts";

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  is_active: boolean;
  is_admin: boolean;
  is_service_account: boolean;
}

export interface ServiceAccountRow {
  id: string;
  slug: string;
  is_active: boolean;
}

export async function findUserByEmail(sql: Database, email: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select id, email, display_name, password_hash, is_active, is_admin, is_service_account
    from users where lower(email) = lower(${email})`;
  return row;
}

export async function findUserById(sql: Database, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select id, email, display_name, password_hash, is_active, is_admin, is_service_account from users where id = ${id}`;
  return row;
}

export async function findServiceAccountById(sql: Database, id: string): Promise<ServiceAccountRow | undefined> {
  const [row] = await sql<ServiceAccountRow[]>`select id, slug, is_active from service_accounts where id = ${id}`;
  return row;
}

/** Memberships → roles → ancestor roles (cycle-safe `union`) → granted permissions, per org. */
export async function loadPermissionsByOrg(
  sql: Database, kind: "user" | "service_account", principalId: string,
): Promise<Map<string, Set<string>>> {
  const memberships = kind === "user"
    ? sql`select organization_id, role_id from organization_memberships where user_id = ${principalId}`
    : sql`select organization_id, role_id from service_account_memberships where service_account_id = ${principalId}`;
  const rows = await sql<{ org_slug: string; permission_name: string }[]>`
    with recursive chain (organization_id, role_id) as (
      ${memberships}
      union
      select c.organization_id, r.parent_role_id from chain c join roles r on r.id = c.role_id
      where r.parent_role_id is not null
    )
    select o.slug as org_slug, rp.permission_name
    from chain c join organizations o on o.id = c.organization_id
    join role_permissions rp on rp.role_id = c.role_id`;
  const byOrg = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = byOrg.get(row.org_slug) ?? new Set<string>();
    set.add(row.permission_name);
    byOrg.set(row.org_slug, set);
  }
  return byOrg;
}
