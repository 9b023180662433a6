/**
 * `imbi embeddings backfill` as a real process, with the fixture model: it indexes rows the
 * queue never saw, embeds what is missing, does nothing the second time, resumes after an
 * interruption, and re-embeds everything with --force. Also: concurrent embedding workers
 * (replicas) never take the same chunk.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { runImbi } from "../../helpers/process.ts";
import { createOrg } from "../../helpers/identity.ts";
import { modelTable } from "../../../src/features/search/repo/vectors.ts";
import { embedBatch } from "../../../src/features/search/vector-sync.ts";
import { openModel } from "../../../src/infra/embeddings/open-model.ts";
import { FIXTURE_CACHE_DIR, FIXTURE_MODEL_ID, FIXTURE_MODELS, seedCatalog } from "./seed.ts";

const table = modelTable("text", FIXTURE_MODEL_ID, 384);
let t: TestApp;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp({ EMBEDDINGS_ENABLED: "false" });
  await t.ctx.search.close(); // only the command under test indexes
  for (let i = 0; i < 3; i++) {
    const org = await createOrg(t);
    await seedCatalog(t, org.id, { project: `Project ${i}`, description: "# A\nalpha\n# B\nbeta", document: "# C\ngamma\n# D\ndelta" });
  }
  // As if written before search existed: nothing queued.
  await t.infra.sql`delete from search_queue`;
  cliEnv = { ...t.env, EMBEDDINGS_ENABLED: "true", EMBEDDINGS_CACHE_DIR: FIXTURE_CACHE_DIR, EMBEDDINGS_MODELS: FIXTURE_MODELS, HF_HUB_OFFLINE: "1" };
});
afterAll(() => t.close());

const counts = async () => {
  const [row] = await t.infra.sql.unsafe<{ chunks: number; vectors: number; current: number }[]>(`
    select (select count(*)::int from search_chunks) as chunks, (select count(*)::int from ${table.name}) as vectors,
           (select count(*)::int from ${table.name} v join search_chunks c using (entity_type, entity_id, attribute, chunk_index)
             where v.text_hash = c.text_hash) as current`);
  return row!;
};
const embeddedCount = (stdout: string) => Number(/(\d+) chunk\(s\) embedded with "text"/.exec(stdout)?.[1]);

describe("imbi embeddings backfill", () => {
  it("indexes and embeds everything, then finds nothing left to do", () => {
    const first = runImbi(["embeddings", "backfill"], cliEnv);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("queued change(s) indexed");
    expect(embeddedCount(first.stdout)).toBeGreaterThan(20);
    const second = runImbi(["embeddings", "backfill"], cliEnv);
    expect(second.code).toBe(0);
    expect(embeddedCount(second.stdout)).toBe(0);
  });

  it("every chunk has a current vector", async () => {
    const { chunks, vectors, current } = await counts();
    expect(chunks).toBeGreaterThan(20);
    expect(vectors).toBe(chunks);
    expect(current).toBe(chunks);
  });

  it("resumes: only what an interrupted run left is embedded", async () => {
    const before = await counts();
    await t.infra.sql.unsafe(`delete from ${table.name} where ctid in (select ctid from ${table.name} limit 7)`);
    await t.infra.sql`update search_chunks set chunk_text = chunk_text || ' changed', text_hash = 'stale'
                      where (entity_type, entity_id, attribute, chunk_index) in (select entity_type, entity_id, attribute, chunk_index from search_chunks limit 2)`;
    const run = runImbi(["embeddings", "backfill", "--concurrency", "3"], cliEnv);
    expect(run.code).toBe(0);
    expect(embeddedCount(run.stdout)).toBeGreaterThanOrEqual(7);
    expect(embeddedCount(run.stdout)).toBeLessThanOrEqual(9);
    expect(await counts()).toEqual(before);
  });

  it("--force re-embeds every chunk in place", async () => {
    const before = await counts();
    const run = runImbi(["embeddings", "backfill", "--force", "--concurrency", "2"], cliEnv);
    expect(run.code).toBe(0);
    expect(embeddedCount(run.stdout)).toBe(before.chunks);
    expect(await counts()).toEqual(before);
  });

  it.each([["0"], ["65"], ["two"]])("--concurrency %s is refused", (value) => {
    const run = runImbi(["embeddings", "backfill", "--concurrency", value], cliEnv);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--concurrency");
  });

  it("a missing model is a clear error, exit 1", () => {
    const run = runImbi(["embeddings", "backfill"], { ...cliEnv, EMBEDDINGS_CACHE_DIR: "/nonexistent/models" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("imbi/fixture-mini");
    expect(run.stderr).toContain("HF_HUB_OFFLINE");
  });
});

describe("embedding workers on several replicas", () => {
  it("concurrent batches claim disjoint chunks (FOR UPDATE SKIP LOCKED)", async () => {
    await t.infra.sql.unsafe(`delete from ${table.name}`);
    const embedder = await openModel(FIXTURE_MODEL_ID, 384, { cacheDir: FIXTURE_CACHE_DIR, env: { HF_HUB_OFFLINE: "1" } });
    try {
      const keyOf = (c: { entity_id: string; attribute: string; chunk_index: number }) => `${c.entity_id}/${c.attribute}/${c.chunk_index}`;
      const [first, second] = await Promise.all([0, 1].map(() => embedBatch(t.infra.sql, table, embedder, { batch: 10 })));
      const [a, b] = [first!.embedded, second!.embedded];
      expect(a.length + b.length).toBe(20);
      const overlap = a.map(keyOf).filter((key) => b.map(keyOf).includes(key));
      expect(overlap).toEqual([]);
    } finally {
      await embedder.close();
    }
  });
});
