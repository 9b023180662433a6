/** SQL for project services: the project_services edge table and the project's links map. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";

export type Sql = Database | TransactionSql;

export interface ServiceRow {
  integration_id: string;
  integration_slug: string;
  integration_name: string;
  identifier: string;
  canonical_url: string | null;
}

export interface ProjectRef {
  id: string;
  slug: string;
  links: Record<string, string>;
}

export async function findProject(sql: Sql, orgId: string, id: string, lock = false): Promise<ProjectRef | undefined> {
  const [row] = await sql<ProjectRef[]>`
    select id, slug, links from projects where organization_id = ${orgId} and id = ${id} ${lock ? sql`for update` : sql``}`;
  return row;
}

export async function findIntegration(sql: Sql, orgId: string, slug: string): Promise<{ id: string; slug: string; name: string } | undefined> {
  const [row] = await sql<{ id: string; slug: string; name: string }[]>`
    select id, slug, name from integrations where organization_id = ${orgId} and slug = ${slug}`;
  return row;
}

/** The project's services by integration name, or the one with integration `slug`. */
export function selectServices(sql: Sql, projectId: string, slug?: string): Promise<ServiceRow[]> {
  return sql<ServiceRow[]>`
    select i.id as integration_id, i.slug as integration_slug, i.name as integration_name, s.identifier, s.canonical_url
    from project_services s join integrations i on i.id = s.integration_id
    where s.project_id = ${projectId} ${slug === undefined ? sql`` : sql`and i.slug = ${slug}`}
    order by i.name, i.slug`;
}

/** Inserts the edge, or replaces its identifier and canonical URL (the reference's MERGE). */
export async function upsertService(sql: Sql, projectId: string, integrationId: string, identifier: string, canonicalUrl: string | null): Promise<void> {
  await sql`
    insert into project_services (project_id, integration_id, identifier, canonical_url)
    values (${projectId}, ${integrationId}, ${identifier}, ${canonicalUrl})
    on conflict (project_id, integration_id) do update
      set identifier = excluded.identifier, canonical_url = excluded.canonical_url, updated_at = now()`;
}

export async function updateService(sql: Sql, projectId: string, integrationId: string, identifier: string, canonicalUrl: string | null): Promise<void> {
  await sql`update project_services set identifier = ${identifier}, canonical_url = ${canonicalUrl}, updated_at = now()
    where project_id = ${projectId} and integration_id = ${integrationId}`;
}

export async function deleteService(sql: Sql, projectId: string, integrationId: string): Promise<void> {
  await sql`delete from project_services where project_id = ${projectId} and integration_id = ${integrationId}`;
}

/** The project (slug) already known to the integration under `identifier`, other than `projectId`. */
export async function identifierOwner(sql: Sql, integrationId: string, identifier: string, projectId: string): Promise<string | undefined> {
  const [row] = await sql<{ slug: string }[]>`
    select p.slug from project_services s join projects p on p.id = s.project_id
    where s.integration_id = ${integrationId} and s.identifier = ${identifier} and s.project_id <> ${projectId}`;
  return row?.slug;
}

/** Sets (url) or removes (null) the project's link under `key`. */
export async function setProjectLink(sql: Sql, projectId: string, key: string, url: string | null): Promise<void> {
  await sql`update projects set links = ${url === null ? sql`links - ${key}::text` : sql`links || jsonb_build_object(${key}::text, ${url}::text)`},
    updated_at = now() where id = ${projectId}`;
}

/** The services of several projects at once, by project then integration name. */
export function selectServicesOf(sql: Sql, projectIds: string[]): Promise<(ServiceRow & { project_id: string })[]> {
  return sql<(ServiceRow & { project_id: string })[]>`
    select s.project_id, i.id as integration_id, i.slug as integration_slug, i.name as integration_name, s.identifier, s.canonical_url
    from project_services s join integrations i on i.id = s.integration_id
    where s.project_id = any(${sql.array(projectIds)})
    order by s.project_id, i.name, i.slug`;
}

/** Projects of the organization that exist in integration `slug` (under `identifier`, when given). */
export async function projectIdsIn(sql: Sql, orgId: string, slug: string, identifier?: string): Promise<string[]> {
  const rows = await sql<{ project_id: string }[]>`
    select s.project_id from project_services s join integrations i on i.id = s.integration_id
    where i.organization_id = ${orgId} and i.slug = ${slug} ${identifier === undefined ? sql`` : sql`and s.identifier = ${identifier}`}`;
  return rows.map((row) => row.project_id);
}
