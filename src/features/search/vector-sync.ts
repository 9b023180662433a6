/**
 * Embeds the chunks that have no current vector in a model's table. Each batch is claimed
 * with FOR UPDATE SKIP LOCKED and written in the same transaction, so replicas (and a
 * backfill running beside them) never embed the same chunk at the same time, and a crash
 * leaves the chunks pending for the next run: the work is resumable and idempotent.
 */
import type { Database } from "../../infra/postgres.ts";
import type { Embedder } from "../../infra/embeddings/onnx-embedder.ts";
import { claimPending, stillPending, storeVectors, type ModelTable, type PendingChunk } from "./repo/vectors.ts";

export const EMBED_BATCH = 32;

export interface SyncOptions {
  batch?: number;
  /** Only chunks after this key (a sweep's cursor). */
  after?: string[] | null;
  /** Re-embed current chunks too (backfill --force). */
  force?: boolean;
  /** Called once the batch is claimed, before it is embedded (the backfill moves its cursor here). */
  onClaimed?: (chunks: PendingChunk[]) => void;
}

export interface BatchResult {
  /** Chunks locked by this batch; 0 means nothing is left to claim. */
  claimed: number;
  embedded: PendingChunk[];
}

export async function embedBatch(sql: Database, table: ModelTable, embedder: Embedder, options: SyncOptions = {}): Promise<BatchResult> {
  return sql.begin(async (tx) => {
    const claimed = await claimPending(tx, table, options.batch ?? EMBED_BATCH, { all: options.force, after: options.after });
    options.onClaimed?.(claimed);
    const chunks = options.force ? claimed : await stillPending(tx, table, claimed);
    if (chunks.length) await storeVectors(tx, table, chunks, await embedder.embed(chunks.map((c) => c.chunk_text)));
    return { claimed: claimed.length, embedded: chunks };
  });
}

export const cursorOf = (chunk: PendingChunk) => [chunk.entity_type, chunk.entity_id, chunk.attribute, String(chunk.chunk_index)];

/**
 * A background step that sweeps the table in key order: batches continue from the last
 * claimed key; at the end the sweep restarts once from the beginning (chunks that became
 * pending behind the cursor), and stops when a whole sweep found nothing.
 */
export function sweepStep(sql: Database, table: ModelTable, embedder: Embedder): () => Promise<boolean> {
  let cursor: string[] | null = null;
  return async () => {
    const batch = await embedBatch(sql, table, embedder, {
      after: cursor, onClaimed: (chunks) => { if (chunks.length) cursor = cursorOf(chunks.at(-1)!); },
    });
    if (batch.claimed) return true;
    if (cursor === null) return false;
    cursor = null;
    return true;
  };
}
