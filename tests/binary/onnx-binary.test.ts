/**
 * Proves ONNX Runtime works inside the compiled `imbi` executable with nothing from the
 * repo: the binary, run from a temp dir with a fresh HOME, XDG_CACHE_HOME and TMPDIR, runs
 * `imbi embeddings backfill` with the fixture model, and the vectors it stores are the ones
 * the same model gives from source. libonnxruntime comes from the binary (extracted to the
 * private cache), not from node_modules.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { buildBinary } from "../../scripts/build.ts";
import { isolatedEnv } from "../helpers/app.ts";
import { runImbi } from "../helpers/process.ts";
import { newId } from "../../src/lib/ids.ts";
import { modelTable } from "../../src/features/search/repo/vectors.ts";
import { openModel } from "../../src/infra/embeddings/open-model.ts";
import { FIXTURE_CACHE_DIR, FIXTURE_MODEL_ID, FIXTURE_MODELS } from "../features/search/seed.ts";

describe.skipIf(process.platform !== "linux" || process.arch !== "x64")("compiled binary + onnxruntime", () => {
  const dir = mkdtempSync(join(tmpdir(), "imbi-onnx-bin-"));
  const binary = join(dir, "imbi");
  const home = join(dir, "home");
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let sql: postgres.Sql;

  beforeAll(async () => {
    await buildBinary({ entry: "src/main.ts", outfile: binary });
    const isolated = await isolatedEnv({
      EMBEDDINGS_CACHE_DIR: FIXTURE_CACHE_DIR, EMBEDDINGS_MODELS: FIXTURE_MODELS, HF_HUB_OFFLINE: "1",
    });
    drop = isolated.drop;
    mkdirSync(join(home, "tmp"), { recursive: true });
    env = { ...isolated.env, HOME: home, XDG_CACHE_HOME: join(home, "cache"), TMPDIR: join(home, "tmp") };
    expect(runImbi(["migrate"], env, binary).code).toBe(0);
    sql = postgres(env.POSTGRES_URL!, { max: 1, onnotice: () => {}, connection: { search_path: "imbi, public" } });
    const org = newId();
    await sql`insert into organizations (id, slug, name, description) values (${org}, 'acme', 'Acme', '# Billing\nInvoices and payments.\n# Deploys\nShip to production.')`;
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  test("`imbi embeddings backfill` embeds with the fixture model, as the source does", async () => {
    const run = runImbi(["embeddings", "backfill"], env, binary);
    expect(run.stderr).not.toContain("imbi:");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 chunk(s) embedded with "text"');

    const table = modelTable("text", FIXTURE_MODEL_ID, 384).name;
    const rows = await sql.unsafe<{ chunk_text: string; embedding: string }[]>(`
      select c.chunk_text, v.embedding::text as embedding from ${table} v
        join search_chunks c using (entity_type, entity_id, attribute, chunk_index) order by c.attribute, c.chunk_index`);
    expect(rows.map((row) => row.chunk_text)).toEqual(["# Billing\nInvoices and payments.", "# Deploys\nShip to production.", "Acme"]);

    const model = await openModel(FIXTURE_MODEL_ID, 384, { cacheDir: FIXTURE_CACHE_DIR, env: { HF_HUB_OFFLINE: "1" } });
    try {
      const expected = await model.embed(rows.map((row) => row.chunk_text));
      rows.forEach((row, i) => {
        const stored = JSON.parse(row.embedding) as number[];
        expect(stored).toHaveLength(384);
        stored.forEach((value, d) => expect(Math.abs(value - expected[i]![d]!)).toBeLessThan(1e-6));
      });
    } finally {
      await model.close();
    }

    // The runtime library was extracted from the binary into the private cache.
    const native = join(env.XDG_CACHE_HOME!, "imbi", "native");
    const copies = readdirSync(native).flatMap((key) => readdirSync(join(native, key)));
    expect(copies).toContain("libonnxruntime.so.1");
  }, 60_000);
});
