/**
 * EMBEDDINGS_MODELS (including a change of model), EMBEDDINGS_DEFAULT_MODEL and
 * EMBEDDINGS_CACHE_DIR take effect
 * (EMBEDDINGS_ENABLED: tests/features/search/lexical-fallback.test.ts).
 */
import { afterAll, describe, expect, it } from "bun:test";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { createCast, send } from "../helpers/catalog.ts";
import { configSandbox } from "../helpers/config.ts";
import { resolveCacheDir } from "../../src/infra/embeddings/model-files.ts";
import { modelTable } from "../../src/features/search/repo/vectors.ts";
import { SearchRuntime } from "../../src/features/search/runtime.ts";
import { FIXTURE_CACHE_DIR, FIXTURE_MODEL_ID, searchPath, seedCatalog } from "../features/search/seed.ts";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function start(settings: Record<string, string>): Promise<TestApp> {
  const saved = process.env.HF_HUB_OFFLINE;
  process.env.HF_HUB_OFFLINE = "1";
  try {
    const t = await startTestApp({ EMBEDDINGS_CACHE_DIR: FIXTURE_CACHE_DIR, ...settings });
    apps.push(t);
    await t.ctx.search.ready();
    return t;
  } finally {
    if (saved === undefined) delete process.env.HF_HUB_OFFLINE;
    else process.env.HF_HUB_OFFLINE = saved;
  }
}

describe("EMBEDDINGS_MODELS and EMBEDDINGS_DEFAULT_MODEL", () => {
  it("each model key gets its own vector table; the default model is the one a search without `model` uses", async () => {
    const t = await start({
      EMBEDDINGS_MODELS: JSON.stringify({
        text: { fastembed_id: FIXTURE_MODEL_ID, dimensions: 384 },
        alt: { fastembed_id: "imbi/not-installed", dimensions: 384 },
      }),
      EMBEDDINGS_DEFAULT_MODEL: "alt",
    });
    const status = (await send(t, "GET", "/status")).body.search;
    expect(status).toMatchObject({ mode: "lexical", embeddings: "unavailable" });
    expect(status.detail).toContain("imbi/not-installed");
    const tables = (await t.infra.sql`select tablename from pg_tables where tablename like 'search_vectors_%'`).map((r) => r.tablename);
    expect(tables.sort()).toEqual([modelTable("alt", "imbi/not-installed", 384).name, modelTable("text", FIXTURE_MODEL_ID, 384).name].sort());

    const cast = await createCast(t);
    const seeded = await seedCatalog(t, cast.orgA.id, { project: "Checkout", description: "Card charges and refunds.", document: "# A\nb" });
    await t.ctx.search.drain();
    const q = { q: "billing invoices", node_label: "Project" };
    expect((await send(t, "GET", searchPath(cast.orgA.slug, q), undefined, cast.adminA.headers)).body).toEqual([]);
    const withText = await send(t, "GET", searchPath(cast.orgA.slug, { ...q, model: "text" }), undefined, cast.adminA.headers);
    expect(withText.body[0]).toMatchObject({ node_id: seeded.projectId, matched_by: ["semantic"] });
  });

  it("a model whose vectors are not the configured width is refused with the reason", async () => {
    const t = await start({ EMBEDDINGS_MODELS: JSON.stringify({ text: { fastembed_id: FIXTURE_MODEL_ID, dimensions: 256 } }) });
    const status = (await send(t, "GET", "/status")).body.search;
    expect(status).toMatchObject({ mode: "lexical", embeddings: "unavailable" });
    expect(status.detail).toContain("384-dimensional vectors, EMBEDDINGS_MODELS says 256");
  });
});

describe("changing EMBEDDINGS_MODELS", () => {
  it("a new model gets a fresh table that fills while the old one stays untouched and serving", async () => {
    const t = await start({ EMBEDDINGS_MODELS: JSON.stringify({ text: { fastembed_id: FIXTURE_MODEL_ID, dimensions: 384 } }) });
    const cast = await createCast(t);
    await seedCatalog(t, cast.orgA.id, { project: "Checkout", description: "Card charges and refunds.", document: "# A\nb" });
    await t.ctx.search.drain();
    const before = modelTable("text", FIXTURE_MODEL_ID, 384).name;
    const [row] = await t.infra.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${before}`);
    const oldRows = row!.n;

    // The same files under another model id: what a deploy with a new EMBEDDINGS_MODELS brings up.
    const cache = mkdtempSync(join(tmpdir(), "imbi-models-"));
    cpSync(join(FIXTURE_CACHE_DIR, "imbi--fixture-mini"), join(cache, "imbi--fixture-next"), { recursive: true });
    const next = new SearchRuntime({
      sql: t.infra.sql, logger: t.ctx.logger,
      settings: { ...t.config.settings.embeddings, cache_dir: cache, models: { text: { fastembed_id: "imbi/fixture-next", dimensions: 384 } } },
    });
    next.start();
    try {
      await next.ready();
      await next.drain();
      const after = modelTable("text", "imbi/fixture-next", 384).name;
      expect(after).not.toBe(before);
      const [counts] = await t.infra.sql.unsafe<{ chunks: number; fresh: number; old: number }[]>(`
        select (select count(*)::int from search_chunks) as chunks, (select count(*)::int from ${after}) as fresh,
               (select count(*)::int from ${before}) as old`);
      expect(counts).toEqual({ chunks: oldRows, fresh: oldRows, old: oldRows });
      expect(next.status()).toMatchObject({ mode: "hybrid", embeddings: "ready" });
    } finally {
      await next.close();
    }
  });
});

describe("EMBEDDINGS_CACHE_DIR", () => {
  it("is read from the environment and the [embeddings] section, relative paths against the working directory", () => {
    const sandbox = configSandbox();
    expect(sandbox.load({ EMBEDDINGS_CACHE_DIR: "/srv/models" }).settings.embeddings.cache_dir).toBe("/srv/models");
    sandbox.write(join(sandbox.cwd, "config.toml"), '[embeddings]\ncache_dir = "models"\n');
    expect(sandbox.load().settings.embeddings.cache_dir).toBe("models");
    expect(resolveCacheDir("models")).toBe(join(process.cwd(), "models"));
  });

  it("unset: $XDG_CACHE_HOME/imbi/models, else ~/.cache/imbi/models", () => {
    expect(resolveCacheDir(null, { XDG_CACHE_HOME: "/var/cache/x" })).toBe("/var/cache/x/imbi/models");
    expect(resolveCacheDir(null, {})).toEndWith("/.cache/imbi/models");
  });
});
