/**
 * The search queue: writes through the API are queued by the catalog tables' triggers and
 * become searchable once the indexer runs; updates replace chunks, deletes and emptied
 * fields remove them; workers on several replicas split the queue (SKIP LOCKED) and a
 * write never waits for a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, send, type Cast } from "../../helpers/catalog.ts";
import { createProjectCatalog, postProject, projectBody, type ProjectCatalog } from "../../helpers/catalog-factories.ts";
import { indexBatch } from "../../../src/features/search/indexer.ts";
import { searchPath } from "./seed.ts";

let t: TestApp;
let cast: Cast;
let catalog: ProjectCatalog;

beforeAll(async () => {
  t = await startTestApp({ EMBEDDINGS_ENABLED: "false" });
  // Only the explicit drains below index: the test decides when the worker runs.
  await t.ctx.search.close();
  cast = await createCast(t);
  catalog = await createProjectCatalog(t, cast.orgA.id);
  await t.ctx.search.drain();
});
afterAll(() => t.close());

const search = async (q: string, extra: Record<string, string> = {}) =>
  (await send(t, "GET", searchPath(cast.orgA.slug, { q, limit: 100, ...extra }), undefined, cast.adminA.headers)).body as any[];

const chunksOf = async (entityId: string) => [...await t.infra.sql<{ attribute: string; chunk_index: number; chunk_text: string }[]>`
    select attribute, chunk_index, chunk_text from search_chunks where entity_id = ${entityId} order by attribute, chunk_index`];

const patch = (path: string, ops: unknown[]) =>
  send(t, "PATCH", path, ops, { ...cast.adminA.headers, "content-type": "application/json-patch+json" });

describe("search queue: API writes", () => {
  it("a created project is searchable after the worker runs, not before", async () => {
    const project = await postProject(t, cast.orgA.slug, cast.adminA.headers, projectBody(catalog, {
      name: "Quokka Tracker", description: "# Purpose\nCounts quokkas.\n\n## Storage\nKeeps sightings in a marsupial table.",
    }));
    expect(await search("quokka")).toEqual([]);
    await t.ctx.search.drain();
    const hits = await search("quokka");
    expect(hits.map((hit) => hit.node_id)).toContain(project.id);
    expect(await chunksOf(project.id)).toEqual([
      { attribute: "description", chunk_index: 0, chunk_text: "# Purpose\nCounts quokkas." },
      { attribute: "description", chunk_index: 1, chunk_text: "## Storage\nKeeps sightings in a marsupial table." },
      { attribute: "name", chunk_index: 0, chunk_text: "Quokka Tracker" },
    ]);
  });

  it("an update replaces the chunks; an emptied field loses them", async () => {
    const project = await postProject(t, cast.orgA.slug, cast.adminA.headers, projectBody(catalog, {
      name: "Wombat Service", description: "# One\nfirst\n\n# Two\nsecond\n\n# Three\nthird",
    }));
    await t.ctx.search.drain();
    expect((await chunksOf(project.id)).filter((c) => c.attribute === "description")).toHaveLength(3);

    const path = `/organizations/${cast.orgA.slug}/projects/${project.id}`;
    expect((await patch(path, [{ op: "replace", path: "/description", value: "Burrows only now." }])).status).toBe(200);
    await t.ctx.search.drain();
    expect((await chunksOf(project.id)).filter((c) => c.attribute === "description")).toEqual([
      { attribute: "description", chunk_index: 0, chunk_text: "Burrows only now." },
    ]);
    expect((await search("third", { node_label: "Project" })).map((hit) => hit.node_id)).not.toContain(project.id);
    expect((await search("burrows")).map((hit) => hit.node_id)).toContain(project.id);

    expect((await patch(path, [{ op: "replace", path: "/description", value: null }])).status).toBe(200);
    await t.ctx.search.drain();
    expect(await chunksOf(project.id)).toEqual([{ attribute: "name", chunk_index: 0, chunk_text: "Wombat Service" }]);
  });

  it("a delete removes the entity's chunks, and those of what went with it", async () => {
    const project = await postProject(t, cast.orgA.slug, cast.adminA.headers, projectBody(catalog, { name: "Platypus Relay" }));
    const doc = await send(t, "POST", `/organizations/${cast.orgA.slug}/projects/${project.id}/documents/`,
      { title: "Platypus notes", content: "# Eggs\nIt lays eggs." }, cast.adminA.headers);
    expect(doc.status).toBe(201);
    await t.ctx.search.drain();
    expect((await search("platypus")).map((hit) => hit.node_id).sort()).toEqual([project.id, doc.body.id].sort());

    expect((await send(t, "DELETE", `/organizations/${cast.orgA.slug}/projects/${project.id}`, undefined, cast.adminA.headers)).status)
      .toBeLessThan(300);
    await t.ctx.search.drain();
    expect(await chunksOf(project.id)).toEqual([]);
    expect(await chunksOf(doc.body.id)).toEqual([]);
    expect(await search("platypus")).toEqual([]);
  });
});

describe("search queue: workers", () => {
  it("two workers split the queue and never index the same row twice", async () => {
    for (let i = 0; i < 30; i++) {
      await t.infra.sql`update teams set description = ${`batch ${i}`} where id = ${catalog.team.id}`;
      await t.infra.sql`update environments set description = ${`env ${i}`} where id = ${catalog.staging.id}`;
    }
    const [queued] = await t.infra.sql<{ n: number }[]>`select count(*)::int as n from search_queue`;
    const [first, second] = await Promise.all([indexBatch(t.infra.sql, t.ctx.logger, 40), indexBatch(t.infra.sql, t.ctx.logger, 40)]);
    expect(first! + second!).toBe(Math.min(80, queued!.n));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    await t.ctx.search.drain();
    expect(await chunksOf(catalog.team.id)).toContainEqual({ attribute: "description", chunk_index: 0, chunk_text: "batch 29" });
  });

  it("a write never waits for a worker holding queue rows", async () => {
    await t.infra.sql`update teams set description = 'held' where id = ${catalog.team.id}`;
    const holder = await t.infra.sql.reserve();
    try {
      await holder`begin`;
      const held = await holder`select id from search_queue order by id for update skip locked`;
      expect(held.length).toBeGreaterThan(0);
      const started = performance.now();
      const write = await patch(`/organizations/${cast.orgA.slug}/teams/${catalog.team.slug}`, [
        { op: "replace", path: "/description", value: "written while the queue is locked" },
      ]);
      expect(write.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2000);
      await holder`rollback`;
    } finally {
      holder.release();
    }
    await t.ctx.search.drain();
    expect((await search("written while the queue is locked")).map((hit) => hit.node_id)).toContain(catalog.team.id);
  });
});

describe("search queue: failures", () => {
  it("an entity that cannot be indexed holds back only itself, and is given up after a few attempts", async () => {
    const logger = t.ctx.logger;
    // An entity whose source query fails: its table is renamed away for the duration of the test.
    await t.infra.sql`alter table link_definitions rename to link_definitions_moved`;
    try {
      await t.infra.sql`insert into search_queue (entity_type, entity_id) values ('LinkDefinition', 'broken')`;
      await t.infra.sql`update teams set description = 'indexed despite a broken neighbour' where id = ${catalog.team.id}`;
      for (let i = 0; i < 6; i++) await indexBatch(t.infra.sql, logger);
      expect(await chunksOf(catalog.team.id)).toContainEqual({ attribute: "description", chunk_index: 0, chunk_text: "indexed despite a broken neighbour" });
      const [broken] = await t.infra.sql<{ attempts: number }[]>`select attempts from search_queue where entity_id = 'broken'`;
      expect(broken!.attempts).toBe(5);
      expect(t.logs.some((line) => line.msg.includes("search indexing failed for an entity") && line.entity_id === "broken")).toBe(true);
    } finally {
      await t.infra.sql`alter table link_definitions_moved rename to link_definitions`;
      await t.infra.sql`delete from search_queue where entity_id = 'broken'`;
    }
  });
});
