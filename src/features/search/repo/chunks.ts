/**
 * search_chunks: the current text of every embeddable attribute of every searchable entity,
 * cut into chunks (../chunking.ts). Rebuilt per entity from the catalog tables by the
 * indexer; an entity that no longer exists, or a field that is now empty, loses its rows
 * (and, through the foreign key, its vectors).
 */
import { createHash } from "node:crypto";
import type { Sql } from "./sql.ts";
import { chunkField } from "../chunking.ts";
import type { EntityType } from "../entities.ts";

export interface Chunk {
  attribute: string;
  chunkIndex: number;
  text: string;
}

interface SourceRow {
  id: string;
  organization_id: string;
  project_id: string | null;
  [field: string]: string | null;
}

export const textHash = (text: string) => createHash("sha256").update(text).digest("hex");

/** The entities of one type among `ids` that still exist, with their chunks. */
export async function loadEntityChunks(tx: Sql, type: EntityType, ids: string[]) {
  const columns = type.fields.map((field, i) => `${field.column} as f${i}`).join(", ");
  const rows = await tx.unsafe<SourceRow[]>(
    `select ${type.id} as id, ${type.organization} as organization_id, ${type.project ?? "null"}::text as project_id, ${columns}
       from ${type.from} where ${type.id} = any($1::text[])`,
    [ids],
  );
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    projectId: row.project_id,
    chunks: type.fields.flatMap((field, i): Chunk[] =>
      chunkField(row[`f${i}`] ?? null, field.markdown).map((text, chunkIndex) => ({ attribute: field.attribute, chunkIndex, text }))),
  }));
}

/** Makes the entity's rows exactly `chunks`: unchanged chunks are left as they are. */
export async function replaceChunks(
  tx: Sql, entityType: string, entityId: string, organizationId: string, projectId: string | null, chunks: Chunk[],
): Promise<void> {
  const attributes = chunks.map((c) => c.attribute);
  const indexes = chunks.map((c) => c.chunkIndex);
  await tx`
    delete from search_chunks
     where entity_type = ${entityType} and entity_id = ${entityId}
       and (attribute, chunk_index) not in (select * from unnest(${attributes}::text[], ${indexes}::int[]))`;
  if (!chunks.length) return;
  const changed = await tx<{ chunk_text: string }[]>`
    insert into search_chunks (entity_type, entity_id, attribute, chunk_index, organization_id, project_id, chunk_text, text_hash)
    select ${entityType}, ${entityId}, a, i, ${organizationId}, ${projectId}, t, h
      from unnest(${attributes}::text[], ${indexes}::int[], ${chunks.map((c) => c.text)}::text[], ${chunks.map((c) => textHash(c.text))}::text[]) as u(a, i, t, h)
    on conflict (entity_type, entity_id, attribute, chunk_index) do update
       set chunk_text = excluded.chunk_text, text_hash = excluded.text_hash,
           organization_id = excluded.organization_id, project_id = excluded.project_id
     where search_chunks.text_hash <> excluded.text_hash
        or search_chunks.organization_id <> excluded.organization_id
        or search_chunks.project_id is distinct from excluded.project_id
    returning chunk_text`;
  await recordTerms(tx, organizationId, changed.map((row) => row.chunk_text));
}

/** Adds the words of new or changed chunks to the organization's typo-correction vocabulary (search_terms). */
async function recordTerms(tx: Sql, organizationId: string, texts: string[]): Promise<void> {
  if (!texts.length) return;
  // Sorted, so concurrent indexers inserting overlapping words wait on each other in one order.
  await tx`
    insert into search_terms (organization_id, term)
    select distinct ${organizationId}::text, w.lexeme
      from unnest(${texts}::text[]) t(text), unnest(to_tsvector('simple', left(t.text, 100000))) w
     where length(w.lexeme) between 3 and 40
     order by 2
    on conflict do nothing`;
}

export async function deleteEntityChunks(tx: Sql, entityType: string, entityIds: string[]): Promise<void> {
  if (!entityIds.length) return;
  await tx`delete from search_chunks where entity_type = ${entityType} and entity_id = any(${entityIds}::text[])`;
}
