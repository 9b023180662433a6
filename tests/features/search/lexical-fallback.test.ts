/**
 * Search keeps answering lexically whenever vectors cannot be had: embeddings disabled, the
 * model missing (and not downloadable), a download that fails verification, PostgreSQL
 * without pgvector. Each case says so once in the log and in /status. A model downloaded
 * from a hub (a real HTTP server here, speaking the Hugging Face resolve protocol) is
 * verified, cached and used.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, send } from "../../helpers/catalog.ts";
import { FIXTURE_CACHE_DIR, FIXTURE_MODELS, searchPath, seedCatalog } from "./seed.ts";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

/** Starts an app with `processEnv` set while it prepares its models (HF_* are read from the process). */
async function start(settings: Record<string, string>, processEnv: Record<string, string> = {}, rewrite?: (env: Record<string, string>) => Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(processEnv).map((key) => [key, process.env[key]]));
  Object.assign(process.env, processEnv);
  try {
    const t = await startTestApp(settings, rewrite);
    apps.push(t);
    await t.ctx.search.ready();
    return t;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Seeds a project and checks that search answers with a lexical hit for it. */
async function expectLexicalAnswers(t: TestApp): Promise<void> {
  const cast = await createCast(t);
  const seeded = await seedCatalog(t, cast.orgA.id, { project: "Lexical Lighthouse", description: "Beams at night.", document: "# Lamp\nOil." });
  await t.ctx.search.drain();
  const sent = await send(t, "GET", searchPath(cast.orgA.slug, { q: "lighthouse", node_label: "Project" }), undefined, cast.adminA.headers);
  expect(sent.status).toBe(200);
  expect(sent.body).toEqual([expect.objectContaining({ node_id: seeded.projectId, matched_by: ["full_text"] })]);
}

const lexicalLines = (t: TestApp) => t.logs.filter((line) => line.msg.startsWith("search is lexical only"));
const statusOf = async (t: TestApp) => (await send(t, "GET", "/status")).body;

describe("lexical fallback", () => {
  it("EMBEDDINGS_ENABLED=false: lexical, no model loaded, no vector table", async () => {
    const t = await start({ EMBEDDINGS_ENABLED: "false", EMBEDDINGS_CACHE_DIR: FIXTURE_CACHE_DIR, EMBEDDINGS_MODELS: FIXTURE_MODELS });
    const status = await statusOf(t);
    expect(status.status).toBe("ok");
    expect(status.search).toEqual({ mode: "lexical", embeddings: "disabled", vector_store: "unchecked", detail: "EMBEDDINGS_ENABLED is false" });
    expect(t.ctx.search.readyModel("text")).toBeNull();
    expect(await t.infra.sql`select 1 from pg_tables where tablename like 'search_vectors_%'`).toHaveLength(0);
    await expectLexicalAnswers(t);
  });

  it("model missing and downloads off (HF_HUB_OFFLINE): one log line saying what to do, /status says so, lexical answers", async () => {
    const empty = mkdtempSync(join(tmpdir(), "imbi-models-"));
    const t = await start({ EMBEDDINGS_CACHE_DIR: empty, EMBEDDINGS_MODELS: FIXTURE_MODELS }, { HF_HUB_OFFLINE: "1" });
    const status = await statusOf(t);
    expect(status.status).toBe("ok");
    expect(status.search).toMatchObject({ mode: "lexical", embeddings: "unavailable", vector_store: "available" });
    expect(status.search.detail).toContain("imbi/fixture-mini");
    const lines = lexicalLines(t);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toContain(join(empty, "imbi--fixture-mini"));
    expect(lines[0]!.msg).toContain("EMBEDDINGS_CACHE_DIR");
    await expectLexicalAnswers(t);
    expect(lexicalLines(t)).toHaveLength(1);
  });
});

describe("model download from the hub", () => {
  const served = { tamper: false, requests: [] as string[] };
  const files: Record<string, Uint8Array> = {
    "onnx/model.onnx": readFileSync(join(FIXTURE_CACHE_DIR, "imbi--fixture-mini", "model.onnx")),
    "vocab.txt": readFileSync(join(FIXTURE_CACHE_DIR, "imbi--fixture-mini", "vocab.txt")),
  };
  const hub = Bun.serve({
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      served.requests.push(path);
      const cdn = /^\/cdn\/(.+)$/.exec(path);
      if (cdn) {
        const bytes = files[cdn[1]!]!;
        return new Response(served.tamper ? Uint8Array.from(bytes, (b, i) => (i === 100 ? b ^ 1 : b)) : bytes);
      }
      const match = /^\/imbi\/fixture-mini\/resolve\/main\/(.+)$/.exec(path);
      const file = match && files[match[1]!];
      if (!file) return new Response("Entry not found", { status: 404 });
      if (match[1] === "onnx/model.onnx") {
        // As the hub does for LFS files: a redirect to the CDN carrying the sha256.
        const sha = createHash("sha256").update(file).digest("hex");
        return new Response(null, { status: 302, headers: { location: `/cdn/${match[1]}`, "x-linked-etag": `"${sha}"` } });
      }
      return new Response(file);
    },
  });
  afterAll(() => hub.stop(true));

  it("downloads once, verifies, caches, and embeds with it", async () => {
    const cache = mkdtempSync(join(tmpdir(), "imbi-models-"));
    const t = await start({ EMBEDDINGS_CACHE_DIR: cache, EMBEDDINGS_MODELS: FIXTURE_MODELS }, { HF_ENDPOINT: hub.url.origin, HF_HUB_OFFLINE: "" });
    expect((await statusOf(t)).search).toMatchObject({ mode: "hybrid", embeddings: "ready" });
    expect(readdirSync(join(cache, "imbi--fixture-mini")).sort()).toEqual(["model.onnx", "vocab.txt"]);
    expect(served.requests).toContain("/imbi/fixture-mini/resolve/main/onnx/model.onnx");

    served.requests.length = 0;
    await start({ EMBEDDINGS_CACHE_DIR: cache, EMBEDDINGS_MODELS: FIXTURE_MODELS }, { HF_ENDPOINT: hub.url.origin, HF_HUB_OFFLINE: "" });
    expect(served.requests).toEqual([]);
  });

  it("a file that does not match the published sha256 is refused and nothing is cached", async () => {
    served.tamper = true;
    const cache = mkdtempSync(join(tmpdir(), "imbi-models-"));
    try {
      const t = await start({ EMBEDDINGS_CACHE_DIR: cache, EMBEDDINGS_MODELS: FIXTURE_MODELS }, { HF_ENDPOINT: hub.url.origin, HF_HUB_OFFLINE: "" });
      expect((await statusOf(t)).search).toMatchObject({ mode: "lexical", embeddings: "unavailable" });
      expect(lexicalLines(t)[0]!.msg).toContain("does not match the published");
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.tamper = false;
    }
  });
});

describe("PostgreSQL without pgvector", () => {
  it("a role that may not create the vector extension: lexical only, said once in the log and /status", async () => {
    // Managed PostgreSQL often lacks pgvector or the right to create it: the app runs as the
    // owner of its database, who may create trusted extensions (pg_trgm) but not vector.
    const role = `imbi_novector_${Date.now().toString(36)}`;
    let admin: postgres.Sql | null = null;
    const t = await start({ EMBEDDINGS_CACHE_DIR: FIXTURE_CACHE_DIR, EMBEDDINGS_MODELS: FIXTURE_MODELS }, {}, (env) => {
      const url = new URL(env.POSTGRES_URL!);
      const database = url.pathname.slice(1);
      const proc = Bun.spawnSync(["psql", url.toString(), "-v", "ON_ERROR_STOP=1", "-c",
        `create role ${role} login password 'novector'; alter database "${database}" owner to ${role};`]);
      if (proc.exitCode !== 0) throw new Error(proc.stderr.toString());
      admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
      url.username = role;
      url.password = "novector";
      return { ...env, POSTGRES_URL: url.toString() };
    });
    try {
      const status = await statusOf(t);
      expect(status.search).toMatchObject({ mode: "lexical", embeddings: "unavailable", vector_store: "unavailable" });
      expect(status.search.detail).toContain("pgvector");
      expect(lexicalLines(t)).toHaveLength(1);
      expect(lexicalLines(t)[0]!.msg).toContain("vector");
      expect(await t.infra.sql`select 1 from pg_extension where extname = 'vector'`).toHaveLength(0);
      await expectLexicalAnswers(t);
    } finally {
      await t.close();
      apps.splice(apps.indexOf(t), 1);
      await admin!`drop role if exists ${admin!(role)}`.catch(() => {});
      await admin!.end();
    }
  });
});

