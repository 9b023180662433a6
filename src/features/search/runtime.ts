/**
 * Search's background side, owned by the app context: the indexer (always, so lexical
 * search follows every write), and per configured embedding model its vector table, its
 * ONNX model and the loop that embeds pending chunks. Preparing the models runs in the
 * background after startup: a missing model, a failed download or a PostgreSQL without
 * pgvector leaves search lexical, said once in the log and in /status, and never stops
 * the server.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import { errorMessage } from "../../infra/retry.ts";
import type { Embedder } from "../../infra/embeddings/onnx-embedder.ts";
import { openModel } from "../../infra/embeddings/open-model.ts";
import { resolveCacheDir } from "../../infra/embeddings/model-files.ts";
import { BackgroundLoop } from "./background-loop.ts";
import { createIndexer, drainQueue } from "./indexer.ts";
import { sweepStep } from "./vector-sync.ts";
import { ensureModelTable, modelTable, type ModelTable } from "./repo/vectors.ts";

export type EmbeddingsState = "disabled" | "loading" | "ready" | "unavailable";
export type VectorStoreState = "unchecked" | "available" | "unavailable";

export interface ModelRuntime {
  key: string;
  modelId: string;
  table: ModelTable;
  embedder: Embedder | null;
}

export interface SearchStatus {
  mode: "hybrid" | "lexical";
  embeddings: EmbeddingsState;
  vector_store: VectorStoreState;
  detail: string | null;
}

export interface SearchRuntimeDeps {
  sql: Database;
  logger: Logger;
  settings: Settings["embeddings"];
}

/** How often the indexer looks at the queue. */
const INDEX_POLL_MS = 1000;
/** This replica's indexer wakes its vector workers; this poll catches other replicas' changes. */
const VECTOR_POLL_MS = 60_000;

export class SearchRuntime {
  readonly models = new Map<string, ModelRuntime>();
  private embeddings: EmbeddingsState;
  private vectorStore: VectorStoreState = "unchecked";
  private detail: string | null = null;
  private readonly indexer: BackgroundLoop;
  private readonly loops: BackgroundLoop[] = [];
  private preparing: Promise<void> | null = null;
  /** Aborts a download in progress when the server stops. */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: SearchRuntimeDeps) {
    this.indexer = createIndexer(deps.sql, deps.logger, INDEX_POLL_MS, () => {
      for (const loop of this.loops) loop.wake();
    });
    this.embeddings = deps.settings.enabled ? "loading" : "disabled";
    if (!deps.settings.enabled) this.detail = "EMBEDDINGS_ENABLED is false";
  }

  get defaultModel(): string {
    return this.deps.settings.default_model;
  }

  get modelKeys(): string[] {
    return Object.keys(this.deps.settings.models);
  }

  start(): void {
    this.indexer.start();
    this.preparing ??= this.prepare();
  }

  /** Resolves once every model is ready or known to be unavailable. */
  async ready(): Promise<void> {
    await this.preparing;
  }

  /** The model's runtime when it can embed queries right now. */
  readyModel(key: string): (ModelRuntime & { embedder: Embedder }) | null {
    const model = this.models.get(key);
    return model?.embedder ? model as ModelRuntime & { embedder: Embedder } : null;
  }

  status(): SearchStatus {
    const mode = this.readyModel(this.defaultModel) ? "hybrid" : "lexical";
    return { mode, embeddings: this.embeddings, vector_store: this.vectorStore, detail: this.detail };
  }

  /** Index everything queued and embed every pending chunk (tests; the CLI has its own progress). */
  async drain(): Promise<void> {
    await drainQueue(this.deps.sql, this.deps.logger);
    for (const model of this.models.values()) {
      if (!model.embedder) continue;
      const step = sweepStep(this.deps.sql, model.table, model.embedder);
      while (await step());
    }
  }

  private get closed(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Stops the loops; a model still being prepared is dropped when it arrives. */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all([this.indexer.close(), ...this.loops.map((loop) => loop.close())]);
    await Promise.all([...this.models.values()].map((model) => model.embedder?.close()));
  }

  private unavailable(state: "embeddings" | "vector", detail: string, hint: string): void {
    if (state === "vector") this.vectorStore = "unavailable";
    this.embeddings = "unavailable";
    this.detail = detail;
    this.deps.logger.warn({ search: "lexical" }, `search is lexical only: ${detail}. ${hint}`);
  }

  private async prepare(): Promise<void> {
    const { settings, sql, logger } = this.deps;
    if (!settings.enabled) {
      logger.info({ search: "lexical" }, "embeddings are disabled (EMBEDDINGS_ENABLED=false); search is lexical only");
      return;
    }
    const entries = Object.entries(settings.models).map(([key, model]) => ({
      key, modelId: model.fastembed_id, table: modelTable(key, model.fastembed_id, model.dimensions), embedder: null,
    }));
    try {
      for (const entry of entries) await ensureModelTable(sql, entry.table);
      this.vectorStore = "available";
    } catch (error) {
      if (this.closed) return;
      this.unavailable("vector", `the PostgreSQL vector extension (pgvector) is not available (${errorMessage(error)})`,
        "Install pgvector on the server (or allow CREATE EXTENSION vector) and restart");
      return;
    }
    const failures: string[] = [];
    for (const entry of entries) {
      if (this.closed) return;
      try {
        const embedder = await this.loadModel(entry.modelId, entry.table.dimensions);
        if (this.closed) {
          await embedder.close();
          return;
        }
        const model: ModelRuntime = { ...entry, embedder };
        this.models.set(entry.key, model);
        const step = sweepStep(sql, model.table, embedder);
        const loop = new BackgroundLoop(VECTOR_POLL_MS, () => step().catch((error) => {
          // The failed batch is skipped by this sweep and retried by the next one.
          logger.warn({ err: errorMessage(error), model: entry.modelId }, "embedding a batch of chunks failed");
          return false;
        }));
        this.loops.push(loop);
        loop.start();
        logger.info({ model: entry.modelId, key: entry.key }, `embedding model ${entry.modelId} loaded`);
      } catch (error) {
        this.models.set(entry.key, { ...entry, embedder: null });
        failures.push(`${entry.key} (${entry.modelId}): ${errorMessage(error)}`);
      }
    }
    if (failures.length && !this.models.get(settings.default_model)?.embedder) {
      const dir = resolveCacheDir(settings.cache_dir);
      this.unavailable("embeddings", `no embedding model could be loaded: ${failures.join("; ")}`,
        `Put model.onnx and vocab.txt under ${dir}/<owner>--<name>/ (EMBEDDINGS_CACHE_DIR), or let the server reach huggingface.co, and restart`);
      return;
    }
    if (failures.length) logger.warn({ failures }, "some embedding models could not be loaded; searches naming them are lexical");
    this.embeddings = "ready";
  }

  private loadModel(modelId: string, dimensions: number): Promise<Embedder> {
    return openModel(modelId, dimensions, {
      cacheDir: this.deps.settings.cache_dir, env: process.env, signal: this.stopping.signal,
      onDownload: (dir) => this.deps.logger.info({ model: modelId, dir }, `downloading embedding model ${modelId}`),
    });
  }
}
