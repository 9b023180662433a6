/**
 * The project list without one query per project (N+1): the projects, all their TYPE and
 * DEPLOYED_IN edges, their DEPENDS_ON counts and the organization's catalog are each one
 * set-based query (hash joins over the organization's rows), assembled here by project id.
 * The queries are pipelined on one connection inside a read-only REPEATABLE READ
 * transaction, so they see one snapshot: a project never shows up without the edges
 * committed with it. For 10,000 projects this is several times faster than aggregating
 * per row with correlated subqueries (see bench/projects.ts).
 */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";
import { loadCatalog, type Catalog, type EdgeRow, type ProjectRecord, type ProjectRow } from "./repo.ts";

export interface ListFilter {
  teamId?: string;
  typeId?: string;
  environmentId?: string;
  includeArchived: boolean;
}

/** The filter as SQL on `projects p` (a new fragment per query: fragments are not shared). */
function scope(tx: TransactionSql, orgId: string, filter: ListFilter) {
  return tx`p.organization_id = ${orgId}
    ${filter.includeArchived ? tx`` : tx`and not p.archived`}
    ${filter.teamId ? tx`and p.team_id = ${filter.teamId}` : tx``}
    ${filter.typeId ? tx`and exists (select 1 from project_project_types f where f.project_id = p.id and f.project_type_id = ${filter.typeId})` : tx``}
    ${filter.environmentId ? tx`and exists (select 1 from project_environments f where f.project_id = p.id and f.environment_id = ${filter.environmentId})` : tx``}`;
}

type TypeEdge = { project_id: string; project_type_id: string };
type EnvEdge = EdgeRow & { project_id: string };
type Counts = { id: string; outbound: number; inbound: number };

export async function listProjects(sql: Database, orgId: string, filter: ListFilter): Promise<{ projects: ProjectRecord[]; catalog: Catalog }> {
  const [, rows, types, environments, counts, catalog] = await sql.begin("isolation level repeatable read read only", (tx) => Promise.all([
    // sorting 10,000 wide rows needs more than the default 4 MB: keep it off disk
    tx`set local work_mem = '32MB'`,
    tx<ProjectRow[]>`select p.* from projects p where ${scope(tx, orgId, filter)} order by lower(p.name), p.name, p.slug, p.id`,
    tx<TypeEdge[]>`select e.project_id, e.project_type_id from project_project_types e join projects p on p.id = e.project_id
      where ${scope(tx, orgId, filter)}`,
    tx<EnvEdge[]>`select e.project_id, e.environment_id, e.properties, e.current_release_id, e.current_release_at
      from project_environments e join projects p on p.id = e.project_id where ${scope(tx, orgId, filter)}`,
    tx<Counts[]>`select d.id, sum(d.outbound)::int as outbound, sum(d.inbound)::int as inbound from (
        select e.project_id as id, 1 as outbound, 0 as inbound
        from project_dependencies e join projects p on p.id = e.project_id where ${scope(tx, orgId, filter)}
        union all
        select e.depends_on_id, 0, 1
        from project_dependencies e join projects p on p.id = e.depends_on_id where ${scope(tx, orgId, filter)}
      ) d group by d.id`,
    loadCatalog(tx, orgId),
  ]));
  const typeIds = new Map<string, string[]>();
  for (const edge of types) (typeIds.get(edge.project_id) ?? typeIds.set(edge.project_id, []).get(edge.project_id)!).push(edge.project_type_id);
  const edges = new Map<string, EdgeRow[]>();
  for (const { project_id, ...edge } of environments) (edges.get(project_id) ?? edges.set(project_id, []).get(project_id)!).push(edge);
  const countsById = new Map(counts.map((c) => [c.id, c]));
  const projects = rows.map((row): ProjectRecord => ({
    ...row,
    type_ids: typeIds.get(row.id) ?? [],
    environments: edges.get(row.id) ?? [],
    outbound_count: countsById.get(row.id)?.outbound ?? 0,
    inbound_count: countsById.get(row.id)?.inbound ?? 0,
  }));
  return { projects, catalog };
}
