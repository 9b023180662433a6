/**
 * Project SQL. A project is read with the ids of its types, its DEPLOYED_IN edges and its
 * DEPENDS_ON counts (ProjectRecord); the teams, types and environments those ids point at
 * are loaded once per request (loadCatalog) and shared by every project referencing them.
 * Lists are read set-wise in list-repo.ts.
 */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";

/** The pool or a transaction. */
export type Sql = Database | TransactionSql;

export interface ProjectRow {
  id: string;
  organization_id: string;
  team_id: string;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  links: Record<string, string>;
  identifiers: Record<string, string | number>;
  score: number | null;
  archived: boolean;
  archived_at: Date | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date | null;
}

export interface EdgeRow {
  environment_id: string;
  properties: Record<string, unknown>;
  current_release_id: string | null;
  /** A timestamp (JSON text from the aggregate, a Date from a plain column). */
  current_release_at: string | Date | null;
}

export interface ProjectRecord extends ProjectRow {
  type_ids: string[];
  environments: EdgeRow[];
  outbound_count: number;
  inbound_count: number;
}

export type EntityRow = Record<string, unknown> & { id: string; slug: string; name: string; attributes: Record<string, unknown> };

export interface Catalog {
  teams: Map<string, EntityRow>;
  types: Map<string, EntityRow>;
  environments: Map<string, EntityRow>;
}

/** One project with its edges aggregated, in one statement. */
export async function findProject(sql: Sql, orgId: string, id: string): Promise<ProjectRecord | undefined> {
  const [row] = await sql<ProjectRecord[]>`
    select p.*,
      array(select ppt.project_type_id from project_project_types ppt where ppt.project_id = p.id) as type_ids,
      coalesce((select json_agg(json_build_object(
          'environment_id', pe.environment_id, 'properties', pe.properties,
          'current_release_id', pe.current_release_id, 'current_release_at', pe.current_release_at))
        from project_environments pe where pe.project_id = p.id), '[]') as environments,
      (select count(*)::int from project_dependencies d where d.project_id = p.id) as outbound_count,
      (select count(*)::int from project_dependencies d where d.depends_on_id = p.id) as inbound_count
    from projects p
    where p.organization_id = ${orgId} and p.id = ${id}`;
  return row;
}

/** The teams, project types and environments of an organization (or only the given ids). */
export async function loadCatalog(sql: Sql, orgId: string, only?: { teamIds: string[]; typeIds: string[]; envIds: string[] }): Promise<Catalog> {
  const scope = (ids: string[] | undefined) => (ids ? sql`and id = any(${sql.array(ids)})` : sql``);
  const [teams, types, environments] = await Promise.all([
    sql<EntityRow[]>`select * from teams where organization_id = ${orgId} ${scope(only?.teamIds)}`,
    sql<EntityRow[]>`select * from project_types where organization_id = ${orgId} ${scope(only?.typeIds)}`,
    sql<EntityRow[]>`select * from environments where organization_id = ${orgId} ${scope(only?.envIds)}`,
  ]);
  const byId = (rows: EntityRow[]) => new Map(rows.map((row) => [row.id, row]));
  return { teams: byId(teams), types: byId(types), environments: byId(environments) };
}

/** The catalog entries one project needs. */
export function loadCatalogFor(sql: Sql, project: ProjectRecord): Promise<Catalog> {
  return loadCatalog(sql, project.organization_id, {
    teamIds: [project.team_id], typeIds: project.type_ids, envIds: project.environments.map((e) => e.environment_id),
  });
}

/** Slug → id of an organization's entities in `table`, locked against deletion until commit. */
export async function lockBySlugs(sql: Sql, table: "teams" | "project_types" | "environments", orgId: string, slugs: string[]): Promise<Map<string, string>> {
  if (!slugs.length) return new Map();
  const rows = await sql<{ id: string; slug: string }[]>`
    select id, slug from ${sql(table)} where organization_id = ${orgId} and slug = any(${sql.array(slugs)}) for key share`;
  return new Map(rows.map((row) => [row.slug, row.id]));
}

/** An organization's entity of `table` by id or slug (list filters), without locking. */
export async function findIdBySlug(sql: Sql, table: "teams" | "project_types" | "environments", orgId: string, slug: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from ${sql(table)} where organization_id = ${orgId} and slug = ${slug}`;
  return row?.id;
}

export interface ProjectValues {
  team_id: string;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  links: Record<string, string>;
  identifiers: Record<string, string | number>;
  /** Blueprint attributes (blueprint-checks.ts). */
  attributes: Record<string, unknown>;
}

function columns(sql: Sql, values: ProjectValues) {
  return { ...values, links: sql.json(values.links), identifiers: sql.json(values.identifiers), attributes: sql.json(values.attributes as never) };
}

export async function insertProject(sql: Sql, id: string, orgId: string, values: ProjectValues): Promise<void> {
  const now = new Date();
  await sql`insert into projects ${sql({ id, organization_id: orgId, ...columns(sql, values), created_at: now, updated_at: now } as never)}`;
}

export async function updateProject(sql: Sql, id: string, values: ProjectValues): Promise<void> {
  await sql`update projects set ${sql({ ...columns(sql, values), updated_at: new Date() } as never)} where id = ${id}`;
}

/** Locks a project row for a read-modify-write; undefined when it is not in the organization. */
export async function lockProject(sql: Sql, orgId: string, id: string): Promise<boolean> {
  const rows = await sql`select 1 from projects where organization_id = ${orgId} and id = ${id} for update`;
  return rows.length > 0;
}

export async function touchProject(sql: Sql, id: string): Promise<void> {
  await sql`update projects set updated_at = now() where id = ${id}`;
}

/** Makes the project's TYPE edges exactly `typeIds`. */
export async function replaceTypes(sql: Sql, projectId: string, typeIds: string[]): Promise<void> {
  await sql`delete from project_project_types where project_id = ${projectId} and project_type_id <> all(${sql.array(typeIds)})`;
  if (typeIds.length) {
    await sql`insert into project_project_types ${sql(typeIds.map((project_type_id) => ({ project_id: projectId, project_type_id })))}
      on conflict do nothing`;
  }
}

/**
 * Makes the project's DEPLOYED_IN edges exactly `edges` (environment id → properties).
 * Edges that stay keep their current release; only their properties are replaced.
 */
export async function replaceEnvironments(sql: Sql, projectId: string, edges: Map<string, Record<string, unknown>>): Promise<void> {
  const ids = [...edges.keys()];
  await sql`delete from project_environments where project_id = ${projectId} and environment_id <> all(${sql.array(ids)})`;
  for (const [environmentId, properties] of edges) {
    await sql`insert into project_environments (project_id, environment_id, properties)
      values (${projectId}, ${environmentId}, ${sql.json(properties as never)})
      on conflict (project_id, environment_id) do update set properties = excluded.properties`;
  }
}

/** A DEPLOYED_IN edge's properties, locked for a read-modify-write; undefined when not deployed there. */
export async function lockEdgeProperties(sql: Sql, projectId: string, environmentId: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await sql<{ properties: Record<string, unknown> }[]>`
    select properties from project_environments where project_id = ${projectId} and environment_id = ${environmentId} for update`;
  return row?.properties;
}

/** Sets (non-null) and removes (null) DEPLOYED_IN properties; undefined when not deployed there. */
export async function mergeEdgeProperties(
  sql: Sql, projectId: string, environmentId: string, set: Record<string, unknown>, remove: string[],
): Promise<EdgeRow | undefined> {
  const [row] = await sql<EdgeRow[]>`
    update project_environments
    set properties = (properties || ${sql.json(set as never)}::jsonb) - ${sql.array(remove)}::text[]
    where project_id = ${projectId} and environment_id = ${environmentId}
    returning environment_id, properties, current_release_id, current_release_at`;
  return row;
}

export async function setArchived(sql: Sql, id: string, archived: boolean): Promise<void> {
  await sql`update projects set archived = ${archived},
    archived_at = ${archived ? sql`coalesce(archived_at, now())` : null}, updated_at = now() where id = ${id}`;
}

export interface ProjectSummary {
  id: string;
  slug: string;
  name: string;
}

/** Projects that depend on `id`: they block its deletion (D2). */
export function dependentsOf(sql: Sql, id: string): Promise<ProjectSummary[]> {
  return sql<ProjectSummary[]>`
    select p.id, p.slug, p.name from project_dependencies d join projects p on p.id = d.project_id
    where d.depends_on_id = ${id} order by p.name, p.slug`;
}

export async function deleteProject(sql: Sql, id: string): Promise<void> {
  await sql`delete from projects where id = ${id}`;
}
