/**
 * The vectors of one embedding model, in a pgvector table of their own
 * (search_vectors_<key>_<hash of model id and dimensions>) with an HNSW cosine index. A
 * changed model or dimension therefore gets a fresh, empty table that fills in the background
 * while the old one keeps nothing stale in the way. Rows point at their search_chunks row
 * (deleted with it) and remember the hash of the text they were embedded from: a chunk whose
 * text changed is "missing" until re-embedded, and is never returned with an old vector.
 */
import { createHash } from "node:crypto";
import type { Database } from "../../../infra/postgres.ts";
import type { Sql } from "./sql.ts";

export interface ModelTable {
  name: string;
  dimensions: number;
}

export function modelTable(key: string, modelId: string, dimensions: number): ModelTable {
  const hash = createHash("sha256").update(`${modelId}:${dimensions}`).digest("hex").slice(0, 10);
  const safeKey = key.toLowerCase().replace(/[^a-z0-9]+/g, "_").slice(0, 20);
  return { name: `search_vectors_${safeKey}_${hash}`, dimensions };
}

/** Creates the extension (where allowed) and the table; throws when pgvector is unavailable. */
export async function ensureModelTable(sql: Database, table: ModelTable): Promise<void> {
  await sql.begin(async (tx) => {
    // One replica creates, the others wait and find it there.
    await tx`select pg_advisory_xact_lock(hashtext('imbi:search:vectors'))`;
    const [found] = await tx`select 1 from pg_extension where extname = 'vector'`;
    if (!found) await tx`create extension if not exists vector`;
    await tx.unsafe(`
      create table if not exists ${table.name} (
        entity_type text not null,
        entity_id text not null,
        attribute text not null,
        chunk_index integer not null,
        organization_id text not null,
        text_hash text not null,
        embedding vector(${table.dimensions}) not null,
        primary key (entity_type, entity_id, attribute, chunk_index),
        foreign key (entity_type, entity_id, attribute, chunk_index)
          references search_chunks (entity_type, entity_id, attribute, chunk_index) on delete cascade
      )`);
    await tx.unsafe(`create index if not exists ${table.name}_org on ${table.name} (organization_id)`);
    await tx.unsafe(`create index if not exists ${table.name}_hnsw on ${table.name} using hnsw (embedding vector_cosine_ops)`);
  });
}

export interface PendingChunk {
  entity_type: string;
  entity_id: string;
  attribute: string;
  chunk_index: number;
  organization_id: string;
  chunk_text: string;
  text_hash: string;
}

/**
 * Chunks without a current vector (or every chunk, with `all`: backfill --force), in key
 * order after `after`, locked (SKIP LOCKED) for the caller's transaction so no other replica
 * embeds them meanwhile. Walking the key order from a cursor makes a sweep over the table
 * cost one pass, not one pass per batch.
 */
export async function claimPending(
  tx: Sql, table: ModelTable, limit: number, options: { all?: boolean; after?: string[] | null } = {},
): Promise<PendingChunk[]> {
  const pending = options.all ? "true" : "(v.entity_type is null or v.text_hash <> c.text_hash)";
  // Two statements rather than a `$2 is null or …` test, which a generic plan could not
  // turn into an index range.
  const after = options.after
    ? "and (c.entity_type, c.entity_id, c.attribute, c.chunk_index) > ($2::text, $3::text, $4::text, $5::int)"
    : "";
  return tx.unsafe<PendingChunk[]>(`
    select c.entity_type, c.entity_id, c.attribute, c.chunk_index, c.organization_id, c.chunk_text, c.text_hash
      from search_chunks c
      left join ${table.name} v using (entity_type, entity_id, attribute, chunk_index)
     where ${pending} ${after}
     order by c.entity_type, c.entity_id, c.attribute, c.chunk_index
     limit $1
       for update of c skip locked`, [limit, ...(options.after ?? [])]);
}

/**
 * Of the claimed chunks, those still without a current vector, read with a fresh snapshot:
 * a chunk another worker embedded between this claim's snapshot and its lock is dropped.
 */
export async function stillPending(tx: Sql, table: ModelTable, chunks: PendingChunk[]): Promise<PendingChunk[]> {
  if (!chunks.length) return [];
  const current = await tx.unsafe<{ key: string }[]>(`
    select v.entity_type || '/' || v.entity_id || '/' || v.attribute || '/' || v.chunk_index as key
      from ${table.name} v
      join unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[]) as u(t, i, a, n, h)
        on v.entity_type = u.t and v.entity_id = u.i and v.attribute = u.a and v.chunk_index = u.n and v.text_hash = u.h`, [
    chunks.map((c) => c.entity_type), chunks.map((c) => c.entity_id), chunks.map((c) => c.attribute),
    chunks.map((c) => c.chunk_index), chunks.map((c) => c.text_hash),
  ]);
  const done = new Set(current.map((row) => row.key));
  return chunks.filter((c) => !done.has(`${c.entity_type}/${c.entity_id}/${c.attribute}/${c.chunk_index}`));
}

export const toVectorLiteral = (vector: Float32Array) => `[${Array.from(vector).join(",")}]`;

export async function storeVectors(tx: Sql, table: ModelTable, chunks: PendingChunk[], vectors: Float32Array[]): Promise<void> {
  if (!chunks.length) return;
  await tx.unsafe(`
    insert into ${table.name} (entity_type, entity_id, attribute, chunk_index, organization_id, text_hash, embedding)
    select a, b, c, d, e, f, g::vector
      from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) as u(a, b, c, d, e, f, g)
    on conflict (entity_type, entity_id, attribute, chunk_index) do update
       set organization_id = excluded.organization_id, text_hash = excluded.text_hash, embedding = excluded.embedding`, [
    chunks.map((c) => c.entity_type), chunks.map((c) => c.entity_id), chunks.map((c) => c.attribute),
    chunks.map((c) => c.chunk_index), chunks.map((c) => c.organization_id), chunks.map((c) => c.text_hash),
    vectors.map(toVectorLiteral),
  ]);
}

/** How many chunks exist and how many have a current vector in this table. */
export async function coverage(sql: Database, table: ModelTable): Promise<{ chunks: number; embedded: number }> {
  const [row] = await sql.unsafe<{ chunks: number; embedded: number }[]>(`
    select (select count(*)::int from search_chunks) as chunks,
           (select count(*)::int from ${table.name} v join search_chunks c using (entity_type, entity_id, attribute, chunk_index)
             where v.text_hash = c.text_hash) as embedded`);
  return row!;
}
