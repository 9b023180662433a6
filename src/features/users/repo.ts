/** Users and their organization memberships: SQL and row → API mapping. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";
import type { OrgMembership, UserResponse } from "./model.ts";

/** The pool, or a transaction opened on it. */
export type Sql = Database | TransactionSql;

export interface UserRecord {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  is_active: boolean;
  is_admin: boolean;
  is_service_account: boolean;
  last_login: Date | null;
  avatar_url: string | null;
  email_notifications: boolean;
  /** Set by POST /auth/verify-email (or a reset link); migrations/postgres/0006_email.sql. */
  email_verified: boolean;
  created_at: Date;
}

export interface MembershipRecord extends OrgMembership {
  user_id: string;
}

/** PostgreSQL text cannot hold NUL; such a key can name nothing. */
const storable = (value: string) => !value.includes("\u0000");

export function toUserResponse(row: UserRecord, organizations: OrgMembership[] = []): UserResponse {
  return {
    email: row.email,
    display_name: row.display_name,
    is_active: row.is_active,
    is_admin: row.is_admin,
    is_service_account: row.is_service_account,
    created_at: row.created_at.toISOString(),
    last_login: row.last_login?.toISOString() ?? null,
    avatar_url: row.avatar_url,
    email_notifications: row.email_notifications,
    email_verified: row.email_verified,
    organizations,
  };
}

export async function findUser(sql: Sql, email: string): Promise<UserRecord | undefined> {
  if (!storable(email)) return undefined;
  const [row] = await sql<UserRecord[]>`select * from users where lower(email) = lower(${email})`;
  return row;
}

export async function findUserById(sql: Sql, id: string): Promise<UserRecord | undefined> {
  const [row] = await sql<UserRecord[]>`select * from users where id = ${id}`;
  return row;
}

export async function listUsers(sql: Sql, filter: { is_active?: boolean; is_admin?: boolean }): Promise<UserRecord[]> {
  return sql<UserRecord[]>`
    select * from users
    where (${filter.is_active ?? null}::boolean is null or is_active = ${filter.is_active ?? null})
      and (${filter.is_admin ?? null}::boolean is null or is_admin = ${filter.is_admin ?? null})
    order by email`;
}

export async function listUsersWithRole(sql: Sql, roleId: string): Promise<UserRecord[]> {
  return sql<UserRecord[]>`
    select * from users u
    where exists (select 1 from organization_memberships m where m.user_id = u.id and m.role_id = ${roleId})
    order by email`;
}

/** Memberships of the given users, by organization name. */
export async function membershipsOf(sql: Sql, userIds: string[]): Promise<Map<string, OrgMembership[]>> {
  const byUser = new Map<string, OrgMembership[]>(userIds.map((id) => [id, []]));
  if (!userIds.length) return byUser;
  const rows = await sql<MembershipRecord[]>`
    select m.user_id, o.name as organization_name, o.slug as organization_slug, r.slug as role
    from organization_memberships m
    join organizations o on o.id = m.organization_id
    join roles r on r.id = m.role_id
    where m.user_id in ${sql(userIds)}
    order by o.name, o.slug`;
  for (const { user_id, ...membership } of rows) byUser.get(user_id)!.push(membership);
  return byUser;
}

export async function withMemberships(sql: Sql, rows: UserRecord[]): Promise<UserResponse[]> {
  const memberships = await membershipsOf(sql, rows.map((r) => r.id));
  return rows.map((row) => toUserResponse(row, memberships.get(row.id)));
}

export async function insertUser(sql: Sql, user: Omit<UserRecord, "created_at" | "last_login" | "avatar_url" | "email_verified">): Promise<UserRecord> {
  const [row] = await sql<UserRecord[]>`insert into users ${sql(user)} returning *`;
  return row!;
}

export async function updateUser(
  sql: Sql, id: string,
  fields: Partial<Pick<UserRecord, "display_name" | "is_active" | "is_admin" | "is_service_account" | "email_notifications" | "password_hash">>,
): Promise<void> {
  await sql`update users set ${sql(fields)}, updated_at = now() where id = ${id}`;
}

export async function deleteUser(sql: Sql, id: string): Promise<void> {
  await sql`delete from users where id = ${id}`;
}

export async function findOrganizationIds(sql: Sql, slugs: string[]): Promise<Map<string, string>> {
  const usable = slugs.filter(storable);
  if (!usable.length) return new Map();
  const rows = await sql<{ id: string; slug: string }[]>`select id, slug from organizations where slug in ${sql(usable)}`;
  return new Map(rows.map((r) => [r.slug, r.id]));
}

export async function findRoleIds(sql: Sql, slugs: string[]): Promise<Map<string, string>> {
  const usable = slugs.filter(storable);
  if (!usable.length) return new Map();
  const rows = await sql<{ id: string; slug: string }[]>`select id, slug from roles where slug in ${sql(usable)}`;
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/** Adds the membership, or changes the role of an existing one. */
export async function upsertMembership(sql: Sql, userId: string, organizationId: string, roleId: string): Promise<void> {
  await sql`
    insert into organization_memberships (organization_id, user_id, role_id) values (${organizationId}, ${userId}, ${roleId})
    on conflict (organization_id, user_id) do update set role_id = excluded.role_id`;
}

/** False when the user is not a member. */
export async function setMembershipRole(sql: Sql, userId: string, organizationId: string, roleId: string): Promise<boolean> {
  const rows = await sql`
    update organization_memberships set role_id = ${roleId}
    where user_id = ${userId} and organization_id = ${organizationId} returning user_id`;
  return rows.length === 1;
}

/** False when the user was not a member. */
export async function removeMembership(sql: Sql, userId: string, organizationId: string): Promise<boolean> {
  const rows = await sql`
    delete from organization_memberships where user_id = ${userId} and organization_id = ${organizationId} returning user_id`;
  return rows.length === 1;
}

export async function allPermissionNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select name from permissions order by name`;
  return rows.map((r) => r.name);
}

/** The teams a user belongs to, with their organization, for /users/me. */
export async function teamsOf(sql: Sql, userId: string) {
  return sql<{ team_name: string; team_slug: string; organization_slug: string }[]>`
    select t.name as team_name, t.slug as team_slug, o.slug as organization_slug
    from team_members m join teams t on t.id = m.team_id join organizations o on o.id = t.organization_id
    where m.user_id = ${userId} order by o.slug, t.name`;
}
