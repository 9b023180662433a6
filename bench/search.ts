/**
 * Benchmark: search over an organization of 10,000 projects and 10,000 documents, on a real
 * `imbi serve` process with the fixture embedding model (tests/fixtures/embeddings).
 *   bun bench/search.ts [--projects 10000] [--documents 10000] [--connections 8] [--seconds 10]
 * Needs the stack (`bun stack/up.ts`). A fresh database is made for the run and dropped
 * afterwards. Measured, one after the other:
 *   indexing + embedding   the server's own workers turning the SQL-seeded catalog (queued by
 *                          the triggers) into chunks and vectors: entities/s and chunks/s
 *   hybrid                 GET /organizations/{org}/search (vector + lexical, fused)
 *   lexical                the same route on a second server with EMBEDDINGS_ENABLED=false
 *   vector                 the vector path alone (embed the query + HNSW query), in-process
 * A second organization of the same size shares the tables, so organization filtering is
 * part of every figure.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import postgres from "postgres";
import { isolatedEnv } from "../tests/helpers/app.ts";
import { startServer } from "../tests/helpers/process.ts";
import { seedPermissionsAndRoles } from "../src/features/roles/seed.ts";
import { openModel } from "../src/infra/embeddings/open-model.ts";
import { modelTable } from "../src/features/search/repo/vectors.ts";
import { nearestChunks } from "../src/features/search/repo/vector-search.ts";
import { runLoad, type LoadResult } from "./lib/load.ts";
import { report } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    projects: { type: "string", default: "10000" },
    documents: { type: "string", default: "10000" },
    connections: { type: "string", default: "8" },
    seconds: { type: "string", default: "10" },
  },
});
const projects = Number(values.projects);
const documents = Number(values.documents);
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const PASSWORD = "Bench-Password-9-Long";
const MODEL_ID = "imbi/fixture-mini";
const FIXTURE_ENV = {
  EMBEDDINGS_CACHE_DIR: resolve(import.meta.dir, "../tests/fixtures/embeddings"),
  EMBEDDINGS_MODELS: JSON.stringify({ text: { fastembed_id: MODEL_ID, dimensions: 384 } }),
  HF_HUB_OFFLINE: "1",
};
const WORDS = ("payment payments billing invoice checkout card refund deploy deployment release rollout production staging "
  + "team engineer owner document guide runbook manual database postgres storage queue cache email mail message "
  + "service api platform system server client user search monitoring alerts frontend backend internal public").split(" ");

const WORDS_SQL = `array[${WORDS.map((w) => `'${w}'`).join(",")}]`;

/** Two organizations of the same shape; text drawn from the fixture vocabulary's topics. */
async function seed(sql: postgres.Sql): Promise<void> {
  await seedPermissionsAndRoles(sql);
  const hash = await Bun.password.hash(PASSWORD, { algorithm: "argon2id", memoryCost: 4096, timeCost: 1 });
  await sql`insert into users (id, email, display_name, password_hash, is_admin) values ('bench-admin-000000000', 'bench@example.com', 'Bench', ${hash}, true)`;
  for (const org of ["bench", "other"]) {
    const words = (seedExpr: string, n: number) =>
      `array_to_string(array(select (${WORDS_SQL})[1 + abs(hashtext(${seedExpr} || ':' || k)) % ${WORDS.length}] from generate_series(1, ${n}) k), ' ')`;
    await sql`insert into organizations (id, slug, name) values (${`org-${org}`}, ${org}, ${org})`;
    await sql`insert into teams (id, organization_id, slug, name) values (${`team-${org}`}, ${`org-${org}`}, 'core', 'Core')`;
    await sql.unsafe(`insert into projects (id, organization_id, team_id, slug, name, description)
      select '${org}-p-' || i, 'org-${org}', 'team-${org}', 'project-' || i, 'Project ' || i || ' ' || ${words("'n' || i", 2)},
             ${words("'d' || i", 12)}
        from generate_series(1, ${projects}) i`);
    await sql.unsafe(`insert into documents (id, organization_id, project_id, title, content, created_by, created_at)
      select '${org}-d-' || i, 'org-${org}', '${org}-p-' || (1 + i % ${projects}), 'Notes ' || i,
             '# Overview' || chr(10) || ${words("'o' || i", 20)} || chr(10) || '## Details' || chr(10) || ${words("'x' || i", 30)},
             'bench', now()
        from generate_series(1, ${documents}) i`);
  }
  await sql`analyze`;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) await Bun.sleep(250);
  const ms = performance.now() - started;
  console.log(`${what}: ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

const { env, drop } = await isolatedEnv({ IMBI_API_LOG_LEVEL: "warn", ...FIXTURE_ENV });
const server = await startServer(env);
const sql = postgres(env.POSTGRES_URL!, { max: 2, onnotice: () => {}, connection: { search_path: "imbi, public" } });
let lexicalServer: Awaited<ReturnType<typeof startServer>> | undefined;
const count = async (query: string) => Number((await sql.unsafe(query))[0]!.n);
try {
  const table = modelTable("text", MODEL_ID, 384).name;
  await seed(sql);
  const entities = await count("select count(*) as n from search_queue");
  const indexMs = await waitFor(`indexed ${entities} queued changes`, async () => (await count("select count(*) as n from search_queue")) === 0);
  const chunks = await count("select count(*) as n from search_chunks");
  const embedMs = await waitFor(`embedded ${chunks} chunks`, async () => (await count(`select count(*) as n from ${table}`)) === chunks);
  console.log(`indexing ${Math.round(entities / (indexMs / 1000))} entities/s; embedding (after indexing) ${Math.round(chunks / (embedMs / 1000))} chunks/s`);

  const login = await fetch(`${server.base}/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bench@example.com", password: PASSWORD }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { access_token } = (await login.json()) as { access_token: string };
  const init = { headers: { authorization: `Bearer ${access_token}` } };
  const path = "/organizations/bench/search?q=payment%20refund%20runbook&limit=10";
  const settings = { projects, documents, chunks, connections, seconds };

  const hybrid = await (await fetch(`${server.base}${path}`, init)).json() as { matched_by: string[] }[];
  if (!hybrid.some((hit) => hit.matched_by.includes("semantic"))) throw new Error("hybrid search returned no semantic hit");
  report("GET /organizations/{org}/search (hybrid)", settings,
    await runLoad({ url: `${server.base}${path}`, connections, durationMs: seconds * 1000, warmupMs: 2000, init }));

  lexicalServer = await startServer({ ...env, EMBEDDINGS_ENABLED: "false" });
  report("GET /organizations/{org}/search (lexical)", settings,
    await runLoad({ url: `${lexicalServer.base}${path}`, connections, durationMs: seconds * 1000, warmupMs: 2000, init }));

  const model = await openModel(MODEL_ID, 384, { cacheDir: FIXTURE_ENV.EMBEDDINGS_CACHE_DIR, env: FIXTURE_ENV });
  const pool = postgres(env.POSTGRES_URL!, { max: connections, onnotice: () => {}, connection: { search_path: "imbi, public" } });
  try {
    const scope = { organizationId: "org-bench", nodeLabel: null, attribute: null };
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const [vector] = await model.embed(["payment refund runbook"]);
        await nearestChunks(pool, { name: table, dimensions: 384 }, vector!, scope, 50, null);
        latencies.push(performance.now() - started);
      }
    }));
    const sorted = latencies.sort((a, b) => a - b);
    const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100;
    const result: LoadResult = {
      requests: sorted.length, errors: 0, rps: Math.round(sorted.length / seconds),
      p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1),
    };
    report("vector path in-process (embed query + HNSW, 50 chunks)", settings, result);
  } finally {
    await model.close();
    await pool.end();
  }
} finally {
  for (const s of [server, lexicalServer]) {
    if (!s) continue;
    s.proc.kill("SIGTERM");
    await s.proc.exited;
  }
  await sql.end();
  await drop();
}
