/**
 * Two `imbi serve` processes of one installation, started at the same moment against an
 * empty database: the migrations are applied once (advisory lock), and a rate limit is
 * one budget for the whole installation, whichever replica a request reaches.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { POSTGRES_MIGRATIONS } from "../../src/infra/migration-files.ts";
import { startCluster, type Cluster } from "./cluster.ts";

describe("two replicas", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(2, { IMBI_AUTH_RATE_LIMIT_LOGIN: "4/minute" });
  }, 90_000);
  afterAll(() => cluster?.close());

  test("starting together, they apply every migration exactly once", async () => {
    const sql = postgres(cluster.env.POSTGRES_URL!, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ version: number }[]>`select version from imbi.schema_migrations order by version`;
      expect(rows.map((r) => Number(r.version))).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version).sort((x, y) => x - y));
    } finally {
      await sql.end();
    }
    const applied = cluster.servers.map((s) => s.lines.find((l) => typeof l.msg === "string" && /applied \d+ PostgreSQL migration/.test(l.msg)));
    // One replica applied them all; the other waited on the lock and found nothing pending.
    expect(applied.filter(Boolean)).toHaveLength(1);
    expect((applied.find(Boolean)!.migrations as unknown[]).length).toBe(POSTGRES_MIGRATIONS.length);
  });

  test("the login limit (4/minute) is shared: alternating replicas, the fifth attempt is refused on either", async () => {
    const [a, b] = cluster.servers;
    const attempt = (server: typeof a) => fetch(`${server!.base}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "nobody@example.com", password: "wrong-password-1" }),
    });
    const statuses = [];
    for (const server of [a, b, a, b, a, b]) statuses.push((await attempt(server)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
