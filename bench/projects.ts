/**
 * Benchmark: the projects API over 10,000 projects, on a real `imbi serve` process.
 *   bun bench/projects.ts [--projects 10000] [--connections 32] [--list-connections 1] [--seconds 10]
 * Needs the stack (`bun stack/up.ts`). A fresh PostgreSQL database (and ClickHouse database
 * and bucket names) is made for the run and dropped afterwards; the server migrates it at
 * startup, then the catalog is seeded with SQL: 50 teams, 10 project types, 5 environments
 * and N projects, each with 1-2 types, 1-3 deployments with properties and 2 DEPENDS_ON
 * edges (cycles included). Scenarios, one after the other:
 *   GET /projects/             the whole list (the reference has no pagination)
 *   GET /projects/?slim=true   the list as ProjectListItem
 *   GET /projects/{id}         one project
 *   GET /projects/{id}/dependencies?depth=3
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { isolatedEnv } from "../tests/helpers/app.ts";
import { startServer } from "../tests/helpers/process.ts";
import { seedPermissionsAndRoles } from "../src/features/roles/seed.ts";
import { runLoad } from "./lib/load.ts";
import { report } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    projects: { type: "string", default: "10000" },
    connections: { type: "string", default: "32" },
    // one whole-list request at a time: its latency is the figure that matters
    "list-connections": { type: "string", default: "1" },
    seconds: { type: "string", default: "10" },
  },
});
const projects = Number(values.projects);
const connections = Number(values.connections);
const listConnections = Number(values["list-connections"]);
const seconds = Number(values.seconds);
const PASSWORD = "Bench-Password-9-Long";

/** The catalog, in a handful of set-based statements. */
async function seed(sql: postgres.Sql, count: number): Promise<{ org: string; root: string; some: string }> {
  await seedPermissionsAndRoles(sql);
  const hash = await Bun.password.hash(PASSWORD, { algorithm: "argon2id", memoryCost: 4096, timeCost: 1 });
  await sql`insert into users (id, email, display_name, password_hash, is_admin) values ('bench-admin-000000000', 'bench@example.com', 'Bench', ${hash}, true)`;
  await sql`insert into organizations (id, slug, name) values ('bench-org-00000000000', 'bench', 'Bench')`;
  await sql`insert into teams (id, organization_id, slug, name)
    select 'team-' || lpad(i::text, 16, '0'), 'bench-org-00000000000', 'team-' || i, 'Team ' || i from generate_series(0, 49) i`;
  await sql`insert into project_types (id, organization_id, slug, name, deployable)
    select 'type-' || lpad(i::text, 16, '0'), 'bench-org-00000000000', 'type-' || i, 'Type ' || i, i % 2 = 0 from generate_series(0, 9) i`;
  await sql`insert into environments (id, organization_id, slug, name, sort_order, label_color)
    select 'env-' || lpad(i::text, 17, '0'), 'bench-org-00000000000', 'env-' || i, 'Environment ' || i, i * 10, '#DC2626' from generate_series(0, 4) i`;
  await sql`insert into projects (id, organization_id, team_id, slug, name, description, links, identifiers, created_at, updated_at)
    select 'proj-' || lpad(i::text, 16, '0'), 'bench-org-00000000000', 'team-' || lpad((i % 50)::text, 16, '0'),
      'project-' || i, 'Project ' || md5(i::text), 'Benchmark project ' || i,
      jsonb_build_object('github-repository', 'https://github.com/bench/project-' || i, 'docs', 'https://docs.example.com/' || i),
      jsonb_build_object('sonarqube', 'bench_' || i, 'pagerduty', i),
      now(), now()
    from generate_series(0, ${count - 1}) i`;
  await sql`insert into project_project_types (project_id, project_type_id)
    select 'proj-' || lpad(i::text, 16, '0'), 'type-' || lpad(t::text, 16, '0')
    from generate_series(0, ${count - 1}) i, lateral (values (i % 10), ((i / 10 + 3) % 10)) v(t)
    where t = i % 10 or i % 3 = 0
    on conflict do nothing`;
  await sql`insert into project_environments (project_id, environment_id, properties)
    select 'proj-' || lpad(i::text, 16, '0'), 'env-' || lpad(e::text, 17, '0'),
      jsonb_build_object('url', 'https://project-' || i || '.env-' || e || '.example.com', 'replicas', 1 + e)
    from generate_series(0, ${count - 1}) i, generate_series(0, 4) e
    where e <= i % 3`;
  await sql`insert into project_dependencies (project_id, depends_on_id)
    select 'proj-' || lpad(i::text, 16, '0'), 'proj-' || lpad(d::text, 16, '0')
    from generate_series(0, ${count - 1}) i, lateral (values ((i * 7 + 1) % ${count}), ((i * 13 + 5) % ${count})) v(d)
    where d <> i
    on conflict do nothing`;
  await sql`analyze`;
  return { org: "bench", root: "proj-0000000000000001", some: `proj-${String(Math.floor(count / 2)).padStart(16, "0")}` };
}

const { env, drop } = await isolatedEnv({ IMBI_API_LOG_LEVEL: "warn" });
const server = await startServer(env);
const sql = postgres(env.POSTGRES_URL!, { max: 2, onnotice: () => {} });
try {
  const started = performance.now();
  const { org, root, some } = await seed(sql, projects);
  console.log(`seeded ${projects} projects in ${Math.round(performance.now() - started)} ms`);
  const login = await fetch(`${server.base}/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bench@example.com", password: PASSWORD }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const { access_token } = (await login.json()) as { access_token: string };
  const init = { headers: { authorization: `Bearer ${access_token}` } };
  const base = `${server.base}/organizations/${org}/projects`;

  const probe = await fetch(`${base}/`, init);
  const body = await probe.text();
  const listed = (JSON.parse(body) as unknown[]).length;
  if (listed !== projects) throw new Error(`list returned ${listed} projects, expected ${projects}`);
  console.log(`GET list: ${listed} projects, ${(body.length / 2 ** 20).toFixed(1)} MiB`);
  const walk = (await (await fetch(`${base}/${root}/dependencies?depth=3`, init)).json()) as { dependencies: unknown[] };
  console.log(`dependencies of ${root} at depth 3: ${walk.dependencies.length} projects`);

  const scenarios: [string, string, number][] = [
    ["GET /organizations/{org}/projects/ (whole list)", `${base}/`, listConnections],
    ["GET /organizations/{org}/projects/?slim=true (whole list)", `${base}/?slim=true`, listConnections],
    ["GET /organizations/{org}/projects/{id}", `${base}/${some}`, connections],
    ["GET /organizations/{org}/projects/{id}/dependencies?depth=3", `${base}/${root}/dependencies?depth=3`, connections],
  ];
  for (const [scenario, url, conns] of scenarios) {
    const result = await runLoad({ url, connections: conns, durationMs: seconds * 1000, warmupMs: 2000, init });
    report(scenario, { projects, connections: conns, seconds }, result);
  }
} finally {
  server.proc.kill("SIGTERM");
  await server.proc.exited;
  await sql.end();
  await drop();
}
