/** Organizations: the tenant boundary of the catalog. */
import type { Database } from "../../infra/postgres.ts";
import { storable } from "../catalog/document.ts";

export interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  tag_formats: unknown[];
  previous_slugs: string[];
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date | null;
}

export async function listOrganizations(sql: Database, slugs: string[] | null): Promise<OrganizationRow[]> {
  return slugs === null
    ? sql<OrganizationRow[]>`select * from organizations order by name, slug`
    : sql<OrganizationRow[]>`select * from organizations where slug in ${sql(slugs.length ? slugs : [""])} order by name, slug`;
}

export async function findOrganizationBySlug(sql: Database, slug: string): Promise<OrganizationRow | undefined> {
  if (!storable(slug)) return undefined;
  const [row] = await sql<OrganizationRow[]>`select * from organizations where slug = ${slug}`;
  return row;
}

export async function organizationCounts(sql: Database, id: string): Promise<{ teams: number; members: number; projects: number }> {
  const [row] = await sql<{ teams: number; members: number; projects: number }[]>`
    select (select count(*)::int from teams where organization_id = ${id}) as teams,
           (select count(*)::int from organization_memberships where organization_id = ${id}) as members,
           (select count(*)::int from projects where organization_id = ${id}) as projects`;
  return row!;
}

/** What blocks deleting an organization, by kind, with counts. */
export async function organizationDependents(sql: Database, id: string): Promise<[string, number][]> {
  const tables: [string, string][] = [
    ["teams", "teams"], ["environments", "environments"], ["project types", "project_types"],
    ["tags", "tags"], ["link definitions", "link_definitions"], ["projects", "projects"],
    ["webhooks", "webhooks"], ["integrations", "integrations"],
  ];
  const counts = await Promise.all(tables.map(async ([label, table]) => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)} where organization_id = ${id}`;
    return [label, row!.n] as [string, number];
  }));
  return counts.filter(([, n]) => n > 0);
}

export async function listMembers(sql: Database, id: string) {
  return sql<{ email: string; display_name: string; role: string }[]>`
    select u.email, u.display_name, r.slug as role from organization_memberships m
    join users u on u.id = m.user_id join roles r on r.id = m.role_id
    where m.organization_id = ${id} order by u.email`;
}
