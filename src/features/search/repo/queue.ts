/**
 * search_queue: (entity type, id) rows appended by the catalog tables' triggers
 * (migrations/postgres/0013_search.sql). Workers claim rows with FOR UPDATE SKIP LOCKED, so
 * replicas split the queue instead of sharing it, and take a transaction-scoped advisory
 * lock per entity before reading it, so two replicas holding changes of the same entity
 * index it one after the other, the later one from the newer state.
 */
import type { Database } from "../../../infra/postgres.ts";
import type { Sql } from "./sql.ts";

/** A row that failed this many times stays for an operator (and `imbi embeddings backfill`). */
export const MAX_ATTEMPTS = 5;

export interface QueueRow {
  id: string;
  entity_type: string;
  entity_id: string;
}

export async function claimQueueRows(tx: Sql, limit: number): Promise<QueueRow[]> {
  return tx<QueueRow[]>`
    select id::text, entity_type, entity_id from search_queue
     where attempts < ${MAX_ATTEMPTS}
     order by id limit ${limit}
       for update skip locked`;
}

export async function lockEntities(tx: Sql, keys: string[]): Promise<void> {
  // One statement, in sorted order (unnest keeps the array's), so two workers locking
  // overlapping sets cannot deadlock.
  const sorted = [...new Set(keys)].sort().map((key) => `imbi:search:${key}`);
  await tx`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${sorted}::text[]) k`;
}

export async function deleteQueueRows(tx: Sql, ids: string[]): Promise<void> {
  if (ids.length) await tx`delete from search_queue where id = any(${ids}::bigint[])`;
}

export async function recordFailure(sql: Database, ids: string[]): Promise<void> {
  if (ids.length) await sql`update search_queue set attempts = attempts + 1 where id = any(${ids}::bigint[])`;
}

export async function queueDepth(sql: Database): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from search_queue where attempts < ${MAX_ATTEMPTS}`;
  return row!.n;
}

/** Every searchable entity, for a backfill: appended like any write would. */
export async function enqueueAll(sql: Database, type: { label: string; from: string; id: string }): Promise<number> {
  const rows = await sql.unsafe(
    `insert into search_queue (entity_type, entity_id) select $1, ${type.id} from ${type.from}`, [type.label]);
  return rows.count;
}
