/**
 * Search with the committed fixture model (tests/fixtures/embeddings/imbi--fixture-mini, a
 * real ONNX graph and WordPiece vocab; scripts/generate-embedding-fixture.ts): chunks are
 * embedded by the background worker into the model's pgvector table, hits are found by
 * meaning, and vector and lexical lists are fused.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, send, type Cast } from "../../helpers/catalog.ts";
import { modelTable } from "../../../src/features/search/repo/vectors.ts";
import { FIXTURE_CACHE_DIR, FIXTURE_MODELS, searchPath, seedCatalog, type SeededOrg } from "./seed.ts";
const table = modelTable("text", "imbi/fixture-mini", 384).name;

let t: TestApp;
let cast: Cast;
let a: SeededOrg;
let b: SeededOrg;

beforeAll(async () => {
  t = await startTestApp({ EMBEDDINGS_CACHE_DIR: FIXTURE_CACHE_DIR, EMBEDDINGS_MODELS: FIXTURE_MODELS });
  await t.ctx.search.ready();
  cast = await createCast(t);
  a = await seedCatalog(t, cast.orgA.id, {
    project: "Checkout Engine",
    description: "Handles card charges and refunds.",
    document: "# Overview\nWhat the on call engineer does.\n\n## Deploys\nShip to staging, then production.",
  });
  b = await seedCatalog(t, cast.orgB.id, {
    project: "Invoice Billing", description: "Billing invoices, payments and money of organization B.",
    document: "# Billing\nInvoices and payments.",
  });
  await t.ctx.search.drain();
});
afterAll(() => t.close());

const search = async (orgSlug: string, params: Record<string, string | number>) =>
  (await send(t, "GET", searchPath(orgSlug, params), undefined, cast.system.headers)).body as any[];

describe("embeddings with the fixture model", () => {
  it("loads the model and reports hybrid search in /status", async () => {
    const status = await send(t, "GET", "/status");
    expect(status.body.search).toEqual({ mode: "hybrid", embeddings: "ready", vector_store: "available", detail: null });
    expect(t.logs.some((line) => line.msg === "embedding model imbi/fixture-mini loaded")).toBe(true);
  });

  it("stores one normalised 384-dimension vector per chunk, in the model's own table with an HNSW index", async () => {
    const [counts] = await t.infra.sql.unsafe(`
      select (select count(*)::int from search_chunks) as chunks, (select count(*)::int from ${table}) as vectors,
             (select max(abs(vector_norm(embedding) - 1)) from ${table}) as norm_error,
             (select vector_dims(embedding) from ${table} limit 1) as dims`);
    expect(counts).toMatchObject({ dims: 384 });
    expect(counts!.vectors).toBe(counts!.chunks);
    expect(counts!.norm_error).toBeLessThan(1e-5);
    const indexes = await t.infra.sql`select indexdef from pg_indexes where tablename = ${table}`;
    expect(indexes.map((row) => row.indexdef).join("\n")).toContain("USING hnsw (embedding vector_cosine_ops)");
  });

  it("finds by meaning: no shared word, only the topic", async () => {
    const hits = await search(cast.orgA.slug, { q: "billing invoices", node_label: "Project" });
    expect(hits[0]).toMatchObject({ node_id: a.projectId, matched_by: ["semantic"], attribute: "description" });
    expect(hits[0].distance).toBeLessThan(0.5);
  });

  it("fuses lexical and semantic matches and gives both reasons", async () => {
    const hits = await search(cast.orgA.slug, { q: "refunds", node_label: "Project" });
    expect(hits[0].node_id).toBe(a.projectId);
    expect(hits[0].matched_by.sort()).toEqual(["full_text", "semantic"]);
  });

  it("the threshold cuts semantic hits by cosine distance", async () => {
    const loose = await search(cast.orgA.slug, { q: "billing invoices", threshold: 2, limit: 100 });
    const tight = await search(cast.orgA.slug, { q: "billing invoices", threshold: 0.3, limit: 100 });
    expect(loose.length).toBeGreaterThan(tight.length);
    for (const hit of tight) expect(hit.distance).toBeLessThanOrEqual(0.3);
  });

  it("a blank query, or one the model has no vector for, answers 200 with finite distances", async () => {
    // "日本" is all [UNK] for the fixture vocab: a zero vector, as a query and as a stored chunk.
    await t.infra.sql`insert into tags (id, organization_id, slug, name) values ('tag-nihon', ${cast.orgA.id}, 'nihon', '日本')`;
    await t.ctx.search.drain();
    for (const q of ["   ", "日本", "!!!", "refunds"]) {
      const sent = await send(t, "GET", searchPath(cast.orgA.slug, { q }), undefined, cast.system.headers);
      expect(sent.status).toBe(200);
      for (const hit of sent.body) expect(Number.isFinite(hit.distance)).toBe(true);
    }
  });

  it("never returns another organization's entities through vectors either", async () => {
    for (const q of ["billing invoices", "payments and money of organization B", "invoices"]) {
      const ids = (await search(cast.orgA.slug, { q, limit: 100, threshold: 2 })).map((hit) => hit.node_id);
      for (const foreign of [b.orgId, b.teamId, b.projectId, b.documentId, b.releaseId]) expect(ids).not.toContain(foreign);
    }
  });

  it("an update re-embeds the changed chunk; a delete removes its vectors", async () => {
    const before = await t.infra.sql.unsafe(`select text_hash from ${table} where entity_id = $1 and attribute = 'description'`, [a.projectId]);
    await t.infra.sql`update projects set description = 'Ships releases to production.' where id = ${a.projectId}`;
    await t.ctx.search.drain();
    const after = await t.infra.sql.unsafe(`select v.text_hash = c.text_hash as current from ${table} v
      join search_chunks c using (entity_type, entity_id, attribute, chunk_index) where v.entity_id = $1 and v.attribute = 'description'`, [a.projectId]);
    expect(after.map((row) => row.current)).toEqual([true]);
    expect(before[0]!.text_hash).not.toBe((await t.infra.sql`select text_hash from search_chunks where entity_id = ${a.projectId} and attribute = 'description'`)[0]!.text_hash);
    const hits = await search(cast.orgA.slug, { q: "rollout deploy", node_label: "Project" });
    expect(hits[0]).toMatchObject({ node_id: a.projectId, matched_by: ["semantic"] });

    await t.infra.sql`delete from releases where id = ${a.releaseId}`;
    await t.ctx.search.drain();
    const [left] = await t.infra.sql.unsafe(`select count(*)::int as n from ${table} where entity_id = $1`, [a.releaseId]);
    expect(left!.n).toBe(0);
  });
});
