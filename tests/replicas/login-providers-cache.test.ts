/**
 * The login-providers cache (30 s TTL, ADR 0009) across two `imbi serve` processes: a
 * provider enabled or disabled through one replica shows on the other at once, because
 * the write is announced over Valkey pub/sub, not when the other's cache entry expires.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { seedAdmin, seedPermissionsAndRoles } from "../../src/features/roles/seed.ts";
import { startCluster, type Cluster } from "./cluster.ts";

const ADMIN = { email: "cache-admin@example.com", password: "Cache-Passw0rd-1" };
/** Far below the cache's 30 s TTL: only an invalidation message explains a change this fast. */
const WITHIN_MS = 3000;

describe("login providers cached on two replicas", () => {
  let cluster: Cluster;
  let token: string;

  beforeAll(async () => {
    cluster = await startCluster(2, { IMBI_API_LOG_LEVEL: "warn" });
    const sql = postgres(cluster.env.POSTGRES_URL!, { max: 1, onnotice: () => {}, connection: { search_path: "imbi" } });
    try {
      await seedPermissionsAndRoles(sql);
      await seedAdmin(sql, {
        email: ADMIN.email, displayName: "Cache", organizationSlug: "cache", organizationName: "Cache",
        passwordHash: await Bun.password.hash(ADMIN.password, { algorithm: "argon2id" }),
      });
    } finally {
      await sql.end();
    }
    const login = await fetch(`${cluster.servers[0]!.base}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { access_token: string }).access_token;
  }, 90_000);
  afterAll(() => cluster?.close());

  const providerIds = async (base: string) =>
    ((await (await fetch(`${base}/auth/providers`)).json()) as { providers: { id: string }[] }).providers.map((p) => p.id);

  async function within(base: string, predicate: (ids: string[]) => boolean): Promise<number> {
    const started = performance.now();
    while (!predicate(await providerIds(base))) {
      if (performance.now() - started > WITHIN_MS) throw new Error(`not seen on ${base} within ${WITHIN_MS} ms: ${await providerIds(base)}`);
      await Bun.sleep(20);
    }
    return performance.now() - started;
  }

  const write = (base: string, enabled: boolean) => fetch(`${base}/admin/oauth-providers/corp-github`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "github", name: "Corp GitHub", enabled, client_id: "imbi-client", client_secret: "not-a-real-secret" }),
  });

  test("enabling on one replica shows on the other at once; disabling hides it at once", async () => {
    const [a, b] = cluster.servers.map((s) => s.base) as [string, string];
    // B caches the list without the provider (kept for 30 s unless told otherwise).
    expect(await providerIds(b)).not.toContain("corp-github");
    expect(await providerIds(b)).not.toContain("corp-github");

    expect((await write(a, true)).status).toBe(201);
    const shown = await within(b, (ids) => ids.includes("corp-github"));

    expect((await write(a, false)).status).toBe(200);
    const hidden = await within(b, (ids) => !ids.includes("corp-github"));
    console.log(`other replica saw the change after ${Math.round(shown)} ms (enable) and ${Math.round(hidden)} ms (disable)`);
  });
});
