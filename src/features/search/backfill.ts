/**
 * `imbi embeddings backfill`: index every searchable entity (what the triggers would have
 * queued, e.g. rows written before search existed), then embed every chunk that has no
 * current vector in each configured model's table. Both steps only do what is missing, so a
 * second run does nothing and an interrupted run resumes where it stopped; it runs safely
 * beside serving replicas (the same SKIP LOCKED claims). `force` re-embeds every chunk in
 * place: the old vectors keep answering until each is replaced.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import type { Embedder } from "../../infra/embeddings/onnx-embedder.ts";
import { openModel } from "../../infra/embeddings/open-model.ts";
import { ENTITY_TYPES } from "./entities.ts";
import { drainQueue } from "./indexer.ts";
import { enqueueAll, MAX_ATTEMPTS, queueDepth } from "./repo/queue.ts";
import { coverage, ensureModelTable, modelTable, type ModelTable } from "./repo/vectors.ts";
import { cursorOf, embedBatch } from "./vector-sync.ts";

export interface BackfillProgress {
  /** "index": queue rows; "embed": chunks of `model`. */
  phase: "index" | "embed";
  model?: string;
  total: number;
  done: number;
}

export interface BackfillOptions {
  force: boolean;
  concurrency: number;
  onStart?: (progress: BackfillProgress) => void;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillDeps {
  sql: Database;
  logger: Logger;
  settings: Settings["embeddings"];
}

export interface BackfillResult {
  indexed: number;
  embedded: Record<string, number>;
}

async function embedAll(deps: BackfillDeps, table: ModelTable, embedder: Embedder, key: string, options: BackfillOptions): Promise<number> {
  const { chunks, embedded } = await coverage(deps.sql, table);
  const progress: BackfillProgress = { phase: "embed", model: key, total: options.force ? chunks : chunks - embedded, done: 0 };
  options.onStart?.(progress);
  // One sweep in key order: claims take turns (the gate) so each starts after the cursor the
  // previous claim moved; embedding then runs in parallel. Chunks that become pending behind
  // the cursor meanwhile are the serving replicas' to embed.
  let cursor: string[] | null = null;
  let gate = Promise.resolve();
  const worker = async () => {
    for (;;) {
      let release = () => {};
      const previous = gate;
      gate = new Promise<void>((resolve) => (release = resolve));
      await previous;
      let batch: Awaited<ReturnType<typeof embedBatch>>;
      try {
        batch = await embedBatch(deps.sql, table, embedder, {
          force: options.force, after: cursor,
          onClaimed: (chunks) => {
            if (chunks.length) cursor = cursorOf(chunks.at(-1)!);
            release();
          },
        });
      } finally {
        release();
      }
      if (!batch.claimed) return;
      progress.done += batch.embedded.length;
      options.onProgress?.(progress);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return progress.done;
}

export async function backfill(deps: BackfillDeps, options: BackfillOptions): Promise<BackfillResult> {
  // Rows given up after repeated failures are superseded by the fresh ones queued below.
  await deps.sql`delete from search_queue where attempts >= ${MAX_ATTEMPTS}`;
  for (const type of ENTITY_TYPES) await enqueueAll(deps.sql, type);
  // Entities indexed before but gone since are found by their chunks and purged.
  await deps.sql`insert into search_queue (entity_type, entity_id) select distinct entity_type, entity_id from search_chunks`;
  const indexing: BackfillProgress = { phase: "index", total: await queueDepth(deps.sql), done: 0 };
  options.onStart?.(indexing);
  const indexed = await drainQueue(deps.sql, deps.logger, (rows) => {
    indexing.done += rows;
    options.onProgress?.(indexing);
  });

  const result: BackfillResult = { indexed, embedded: {} };
  if (!deps.settings.enabled) return result;
  for (const [key, model] of Object.entries(deps.settings.models)) {
    const table = modelTable(key, model.fastembed_id, model.dimensions);
    await ensureModelTable(deps.sql, table);
    const embedder = await openModel(model.fastembed_id, model.dimensions, { cacheDir: deps.settings.cache_dir, env: process.env })
      .catch((error: Error) => { throw new Error(`embedding model ${model.fastembed_id}: ${error.message}`); });
    try {
      result.embedded[key] = await embedAll(deps, table, embedder, key, options);
    } finally {
      await embedder.close();
    }
  }
  return result;
}
