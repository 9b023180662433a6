/**
 * Nearest chunks by cosine distance in a model's vector table (pgvector `<=>`), filtered by
 * organization (and label, attribute) before ordering. pgvector's iterative index scan keeps
 * reading the HNSW graph until enough rows pass the filters, so a small organization in a
 * large table still gets its nearest chunks. Vectors of chunks whose text changed since
 * (text_hash differs) and chunks of archived projects are dropped.
 */
import type { Database } from "../../../infra/postgres.ts";
import { SCOPE_SQL, type ScopeFilter } from "./lexical.ts";
import { toVectorLiteral, type ModelTable } from "./vectors.ts";

export interface VectorHit {
  entity_type: string;
  entity_id: string;
  attribute: string;
  chunk_text: string;
  distance: number;
}

/**
 * The inner query reads only the vector table, so the HNSW index drives it (with the
 * organization, label and attribute filters applied during the index scan); the live-chunk
 * checks (current text, archived project) then apply to those nearest rows.
 */
export async function nearestChunks(
  sql: Database, table: ModelTable, vector: Float32Array, scope: ScopeFilter, limit: number, threshold: number | null,
): Promise<VectorHit[]> {
  return sql.begin(async (tx) => {
    await tx`select set_config('hnsw.iterative_scan', 'relaxed_order', true)`;
    return tx.unsafe<VectorHit[]>(`
      select c.entity_type, c.entity_id, c.attribute, c.chunk_text, v.distance
        from (
          select entity_type, entity_id, attribute, chunk_index, text_hash, (embedding <=> $1::vector)::float8 as distance
            from ${table.name}
           where organization_id = $2 and ($3::text is null or entity_type = $3) and ($4::text is null or attribute = $4)
           order by embedding <=> $1::vector
           limit $5
        ) v
        join search_chunks c using (entity_type, entity_id, attribute, chunk_index)
       where v.text_hash = c.text_hash and ${SCOPE_SQL}
         and ($6::float8 is null or v.distance <= $6)
         -- a chunk of only unknown tokens has a zero vector, at no defined angle to anything
         and v.distance <> 'NaN'::float8
       order by v.distance`, [toVectorLiteral(vector), scope.organizationId, scope.nodeLabel, scope.attribute, limit, threshold]);
  });
}
