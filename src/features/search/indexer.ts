/**
 * The background worker that keeps search_chunks in step with the catalog: it claims queued
 * (entity type, id) rows, re-reads each entity and rewrites its chunks (or deletes them when
 * the entity is gone). It never touches the model; vectors follow from the chunks
 * (vector-sync.ts). A failing batch is rolled back and its rows retried one at a time.
 */
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import { errorMessage } from "../../infra/retry.ts";
import { entityType } from "./entities.ts";
import { deleteEntityChunks, loadEntityChunks, replaceChunks } from "./repo/chunks.ts";
import { claimQueueRows, deleteQueueRows, lockEntities, recordFailure, type QueueRow } from "./repo/queue.ts";
import type { Sql } from "./repo/sql.ts";
import { BackgroundLoop } from "./background-loop.ts";

const BATCH = 100;

/** Rewrites the chunks of the claimed rows' entities, inside the claiming transaction. */
async function indexRows(tx: Sql, logger: Logger, rows: QueueRow[]): Promise<void> {
  const byType = new Map<string, Set<string>>();
  for (const row of rows) byType.set(row.entity_type, (byType.get(row.entity_type) ?? new Set()).add(row.entity_id));
  await lockEntities(tx, rows.map((row) => `${row.entity_type}:${row.entity_id}`));
  for (const [label, idSet] of byType) {
    const ids = [...idSet];
    const type = entityType(label);
    if (!type) {
      logger.warn({ entity_type: label }, "search queue holds an unknown entity type; dropping its rows");
      continue;
    }
    const entities = await loadEntityChunks(tx, type, ids);
    for (const entity of entities) {
      await replaceChunks(tx, label, entity.id, entity.organizationId, entity.projectId, entity.chunks);
    }
    const present = new Set(entities.map((e) => e.id));
    await deleteEntityChunks(tx, label, ids.filter((id) => !present.has(id)));
  }
  await deleteQueueRows(tx, rows.map((row) => row.id));
}

/**
 * Processes one batch; returns how many queue rows it consumed (0: the queue is empty).
 * When the batch fails, its rows are retried one by one, so one entity that cannot be
 * indexed only holds back itself (it is given up after MAX_ATTEMPTS).
 */
export async function indexBatch(sql: Database, logger: Logger, batch = BATCH): Promise<number> {
  let claimed = 0;
  try {
    return await sql.begin(async (tx) => {
      const rows = await claimQueueRows(tx, batch);
      claimed = rows.length;
      if (claimed) await indexRows(tx, logger, rows);
      return claimed;
    });
  } catch (error) {
    // Nothing claimed: the database itself failed (it is reported by /status, not here).
    if (!claimed) throw error;
    let done = 0;
    for (let i = 0; i < batch; i++) {
      const n = await indexSingle(sql, logger);
      if (n === null) break;
      done += n;
    }
    return done;
  }
}

/** One row in its own transaction; null when the queue is empty. A failure to index it counts an attempt. */
async function indexSingle(sql: Database, logger: Logger): Promise<number | null> {
  let claimed: QueueRow[] = [];
  try {
    return await sql.begin(async (tx) => {
      claimed = await claimQueueRows(tx, 1);
      if (!claimed.length) return null;
      await indexRows(tx, logger, claimed);
      return 1;
    });
  } catch (error) {
    if (!claimed.length) throw error;
    const row = claimed[0];
    logger.error({ err: errorMessage(error), entity_type: row?.entity_type, entity_id: row?.entity_id },
      "search indexing failed for an entity; it will be retried");
    await recordFailure(sql, claimed.map((r) => r.id)).catch(() => {});
    return 0;
  }
}

/** Indexes until the queue is empty (tests, the backfill command). */
export async function drainQueue(sql: Database, logger: Logger, onProgress?: (rows: number) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await indexBatch(sql, logger);
    if (!n) return total;
    total += n;
    onProgress?.(n);
  }
}

/** `onIndexed` runs after each batch that changed something (the vector workers wake). */
export function createIndexer(sql: Database, logger: Logger, pollMs: number, onIndexed: () => void): BackgroundLoop {
  return new BackgroundLoop(pollMs, async () => {
    const rows = await indexBatch(sql, logger);
    if (rows) onIndexed();
    return rows > 0;
  });
}
