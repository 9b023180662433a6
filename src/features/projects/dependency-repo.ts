/**
 * DEPENDS_ON edges (project_dependencies): the one-hop listing of §7.10 and the transitive
 * walk behind GET /projects/{id}/dependencies, a recursive CTE bounded by depth.
 */
import type { Sql } from "./repo.ts";

/** Inserts the edge; false when it already existed (the route is idempotent). */
export async function addDependency(sql: Sql, projectId: string, dependsOnId: string): Promise<boolean> {
  const rows = await sql`insert into project_dependencies (project_id, depends_on_id) values (${projectId}, ${dependsOnId})
    on conflict do nothing returning 1`;
  return rows.length > 0;
}

export async function removeDependency(sql: Sql, projectId: string, dependsOnId: string): Promise<boolean> {
  const rows = await sql`delete from project_dependencies where project_id = ${projectId} and depends_on_id = ${dependsOnId} returning 1`;
  return rows.length > 0;
}

export interface RelationshipRow {
  direction: "inbound" | "outbound";
  id: string;
  name: string;
  slug: string;
  namespace: string;
  project_type: string | null;
  project_type_icon: string | null;
  deprecated: unknown;
}

/** Both directions; inbound first, then by the other project's name and id. */
export function listRelationships(sql: Sql, projectId: string): Promise<RelationshipRow[]> {
  return sql<RelationshipRow[]>`
    with edges as (
      select 'outbound' as direction, depends_on_id as other from project_dependencies where project_id = ${projectId}
      union all
      select 'inbound', project_id from project_dependencies where depends_on_id = ${projectId}
    )
    select e.direction, p.id, p.name, p.slug, o.slug as namespace, pt.slug as project_type, pt.icon as project_type_icon,
      p.attributes -> 'deprecated' as deprecated
    from edges e
    join projects p on p.id = e.other
    join organizations o on o.id = p.organization_id
    left join lateral (
      select t.slug, t.icon from project_project_types ppt join project_types t on t.id = ppt.project_type_id
      where ppt.project_id = p.id order by t.slug limit 1
    ) pt on true
    order by e.direction = 'outbound', lower(p.name), p.name, p.id`;
}

export interface DependencyRow {
  id: string;
  name: string;
  slug: string;
  archived: boolean;
  depth: number;
  depends_on: string[];
  /** Depends on a project that is not listed (beyond the depth limit). */
  beyond: boolean;
}

/**
 * Every project reachable from `rootId` in 1..maxDepth DEPENDS_ON hops, at its shortest
 * distance, with its edges to listed projects (or the root). UNION dedupes (id, depth) per
 * level, so each level holds each project at most once and the walk stops at maxDepth even
 * around cycles: the work is bounded by maxDepth × edges, not by the number of paths. Each
 * listed project's own edges are then read through the primary key (an aggregating LATERAL
 * subquery runs per project, so it stays an index scan whatever the table size).
 */
export function walkDependencies(sql: Sql, rootId: string, maxDepth: number): Promise<DependencyRow[]> {
  return sql<DependencyRow[]>`
    with recursive walk (id, depth) as (
      select depends_on_id, 1 from project_dependencies where project_id = ${rootId}
      union
      select d.depends_on_id, w.depth + 1
      from walk w join project_dependencies d on d.project_id = w.id
      where w.depth < ${maxDepth}
    ),
    nodes as (select id, min(depth) as depth from walk where id <> ${rootId} group by id)
    select p.id, p.name, p.slug, p.archived, n.depth::int as depth, e.depends_on, e.beyond
    from nodes n
    join projects p on p.id = n.id
    cross join lateral (
      select
        coalesce(array_agg(x.depends_on_id order by x.depends_on_id) filter (where x.listed), '{}') as depends_on,
        coalesce(bool_or(not x.listed), false) as beyond
      from (
        select d.depends_on_id, d.depends_on_id = ${rootId} or d.depends_on_id in (select id from nodes) as listed
        from project_dependencies d where d.project_id = n.id
      ) x
    ) e
    order by n.depth, lower(p.name), p.name, p.id`;
}
