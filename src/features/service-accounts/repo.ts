/** SQL for service accounts and their organization memberships. */
import { toIso } from "../../lib/time.ts";
import type { Database } from "../../infra/postgres.ts";
import type { ServiceAccount, ServiceAccountFields } from "./model.ts";

export interface AccountRow {
  id: string;
  slug: string;
  display_name: string;
  description: string | null;
  is_active: boolean;
  last_authenticated: Date | null;
  avatar_url: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface MembershipRow {
  service_account_id: string;
  organization_id: string;
  organization_name: string;
  organization_slug: string;
  role: string;
}


export function toAccountJson(row: AccountRow, memberships: MembershipRow[]): ServiceAccount {
  return {
    slug: row.slug, display_name: row.display_name, description: row.description, is_active: row.is_active,
    created_at: row.created_at.toISOString(), updated_at: toIso(row.updated_at), last_authenticated: toIso(row.last_authenticated),
    avatar_url: row.avatar_url,
    organizations: memberships.map((m) => ({ organization_name: m.organization_name, organization_slug: m.organization_slug, role: m.role })),
  };
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "23505";

/** Creates the account and its first membership together; nothing is kept when either fails. */
export async function insertAccount(
  sql: Database, account: { id: string } & ServiceAccountFields,
  membership: { organizationSlug: string; roleSlug: string },
): Promise<"created" | "conflict" | "not_found"> {
  try {
    return await sql.begin(async (tx) => {
      await tx`insert into service_accounts ${tx(account)}`;
      const rows = await tx`
        insert into service_account_memberships (organization_id, service_account_id, role_id)
        select o.id, ${account.id}, r.id from organizations o, roles r
        where o.slug = ${membership.organizationSlug} and r.slug = ${membership.roleSlug}`;
      if (rows.count === 0) throw new MissingReference();
      return "created" as const;
    });
  } catch (error) {
    if (error instanceof MissingReference) return "not_found";
    if (isUniqueViolation(error)) return "conflict";
    throw error;
  }
}

class MissingReference extends Error {}

export async function findAccount(sql: Database, slug: string): Promise<AccountRow | undefined> {
  const [row] = await sql<AccountRow[]>`select * from service_accounts where slug = ${slug}`;
  return row;
}

export async function listAccounts(sql: Database, isActive?: boolean): Promise<AccountRow[]> {
  return sql<AccountRow[]>`
    select * from service_accounts
    where ${isActive === undefined ? sql`true` : sql`is_active = ${isActive}`}
    order by slug`;
}

export async function membershipsOf(sql: Database, accountIds: string[]): Promise<MembershipRow[]> {
  if (accountIds.length === 0) return [];
  return sql<MembershipRow[]>`
    select m.service_account_id, o.id as organization_id, o.name as organization_name, o.slug as organization_slug, r.slug as role
    from service_account_memberships m
    join organizations o on o.id = m.organization_id
    join roles r on r.id = m.role_id
    where m.service_account_id in ${sql(accountIds)}
    order by o.slug`;
}

export async function updateAccount(sql: Database, id: string, fields: Omit<ServiceAccountFields, "slug">): Promise<AccountRow> {
  const [row] = await sql<AccountRow[]>`
    update service_accounts set ${sql(fields, "display_name", "description", "is_active", "avatar_url")}, updated_at = now()
    where id = ${id} returning *`;
  return row!;
}

/** API keys, client credentials, memberships and sessions go with it (foreign-key cascades). */
export async function deleteAccount(sql: Database, id: string): Promise<void> {
  await sql`delete from service_accounts where id = ${id}`;
}

export async function findOrganizationId(sql: Database, slug: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from organizations where slug = ${slug}`;
  return row?.id;
}

export async function findRoleId(sql: Database, slug: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from roles where slug = ${slug}`;
  return row?.id;
}

/** Adds the membership, or changes the role of an existing one. */
export async function upsertMembership(sql: Database, accountId: string, organizationId: string, roleId: string): Promise<void> {
  await sql`
    insert into service_account_memberships (organization_id, service_account_id, role_id)
    values (${organizationId}, ${accountId}, ${roleId})
    on conflict (organization_id, service_account_id) do update set role_id = excluded.role_id`;
}

/** False when the account is not a member of that organization. */
export async function setMembershipRole(sql: Database, accountId: string, organizationId: string, roleId: string): Promise<boolean> {
  const rows = await sql`
    update service_account_memberships set role_id = ${roleId}
    where organization_id = ${organizationId} and service_account_id = ${accountId}`;
  return rows.count > 0;
}

export async function deleteMembership(sql: Database, accountId: string, organizationId: string): Promise<boolean> {
  const rows = await sql`
    delete from service_account_memberships where organization_id = ${organizationId} and service_account_id = ${accountId}`;
  return rows.count > 0;
}

/** Stamped on every successful client-credentials authentication. */
export async function touchAuthenticated(sql: Database, id: string): Promise<void> {
  await sql`update service_accounts set last_authenticated = now() where id = ${id}`;
}
