/**
 * The live rows behind search hits: their public id, name (or title), slug and parent
 * project. Only entities that still exist, belong to the organization and are not in an
 * archived project come back, so a hit whose chunks the indexer has not purged yet is
 * dropped rather than shown.
 */
import type { Database } from "../../../infra/postgres.ts";
import type { EntityType } from "../entities.ts";

export interface EntityDetails {
  id: string;
  node_id: string;
  name: string | null;
  slug: string | null;
  project_id: string | null;
}

export async function loadDetails(sql: Database, type: EntityType, ids: string[], organizationId: string): Promise<EntityDetails[]> {
  if (!ids.length) return [];
  const project = type.project ?? "null";
  const archived = type.project ? `and not coalesce((select p.archived from projects p where p.id = ${type.project}), false)` : "";
  return sql.unsafe<EntityDetails[]>(`
    select ${type.id} as id, ${type.publicId} as node_id, ${type.name ?? "null"}::text as name, ${type.slug ?? "null"}::text as slug,
           ${project}::text as project_id
      from ${type.from}
     where ${type.id} = any($1::text[]) and ${type.organization} = $2 ${archived}`, [ids, organizationId]);
}
