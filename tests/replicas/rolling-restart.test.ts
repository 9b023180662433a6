/**
 * Replicas restarted behind a round-robin balancer (cluster.ts: nginx's default retry
 * rules) while clients keep calling the API:
 *   - a rolling restart as an orchestrator does it: the replica gets SIGTERM and is taken
 *     out of the balancer at the same time, the removal taking effect a moment later
 *     (Kubernetes endpoints, an ALB deregistration). The replica keeps answering for its
 *     drain grace, then drains and exits 0; a replacement joins. No request of any method
 *     fails, and every email queued before and during the restart is sent exactly once.
 *   - a SIGTERM the balancer is not told about: it learns from refused connections only.
 *     Idempotent requests are retried by the balancer and none fails.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { seedAdmin, seedPermissionsAndRoles } from "../../src/features/roles/seed.ts";
import { enqueue } from "../../src/features/email/outbox.ts";
import { smtpEnv, startTestSmtp, until, type TestSmtp } from "../features/email/helpers.ts";
import { startBalancer, startCluster, type Balancer, type Cluster } from "./cluster.ts";

const ADMIN = { email: "rolling@example.com", password: "Rolling-Passw0rd-1" };

interface Load {
  ok: number;
  failures: string[];
  stop(): Promise<void>;
}

/** Closed-loop clients: GETs (PostgreSQL + auth) and, with `posts`, POSTs that create organizations. */
function startLoad(base: string, token: string, workers: number, posts: boolean): Load {
  let running = true;
  const load = { ok: 0, failures: [] as string[] };
  const auth = { authorization: `Bearer ${token}` };
  let serial = 0;
  const one = async (kind: number): Promise<void> => {
    const slug = `rolling-${serial++}`;
    const request = kind === 0
      ? fetch(`${base}/organizations/`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ name: slug, slug }) })
      : fetch(`${base}${kind === 1 ? "/users/me" : "/status"}`, { headers: auth });
    try {
      const response = await request;
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) load.ok++;
      else load.failures.push(`${response.status} ${kind === 0 ? "POST /organizations/" : "GET"}: ${text.slice(0, 200)}`);
    } catch (error) {
      load.failures.push(String(error));
    }
  };
  const loops = Array.from({ length: workers }, async (_, i) => {
    while (running) await one(posts ? i % 3 : 1 + (i % 2));
  });
  return {
    ...load,
    get ok() {
      return load.ok;
    },
    get failures() {
      return load.failures;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe("rolling restart of two replicas under load", () => {
  let smtp: TestSmtp;
  let cluster: Cluster;
  let balancer: Balancer;
  const removed = new Set<string>();
  let token: string;
  let sql: postgres.Sql;

  beforeAll(async () => {
    smtp = await startTestSmtp();
    cluster = await startCluster(2, { ...smtpEnv(smtp.port), IMBI_API_LOG_LEVEL: "warn" });
    balancer = startBalancer(() => cluster.servers.map((s) => s.base).filter((base) => !removed.has(base)));
    sql = postgres(cluster.env.POSTGRES_URL!, { max: 2, onnotice: () => {}, connection: { search_path: "imbi" } });
    await seedPermissionsAndRoles(sql);
    await seedAdmin(sql, {
      email: ADMIN.email, displayName: "Rolling", organizationSlug: "rolling", organizationName: "Rolling",
      passwordHash: await Bun.password.hash(ADMIN.password, { algorithm: "argon2id" }),
    });
    const login = await fetch(`${balancer.url}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { access_token: string }).access_token;
  }, 90_000);

  afterAll(async () => {
    await sql?.end();
    balancer?.stop();
    await cluster?.close();
    await smtp?.close();
  });

  test("rolling restart: no request fails, each replica exits 0, every queued email is sent once", async () => {
    const addresses: string[] = [];
    const queue = async (count: number) => {
      const batch = Array.from({ length: count }, (_, i) => `queued${addresses.length + i}@example.com`);
      await sql.begin(async (tx) => {
        for (const to of batch) await enqueue(tx, { template: "welcome", to, params: { display_name: to } });
      });
      addresses.push(...batch);
    };

    const load = startLoad(balancer.url, token, 6, true);
    await queue(20);
    await Bun.sleep(1000);
    for (const old of [...cluster.servers]) {
      const exit = cluster.stop(old);
      // Taken out of rotation shortly after the signal: well within the drain grace (1 s).
      setTimeout(() => removed.add(old.base), 300);
      await queue(10); // queued while a replica drains
      expect(await exit).toBe(0);
      await cluster.add();
      await Bun.sleep(500);
    }
    await Bun.sleep(500);
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(100);
    console.log(`rolling restart: ${load.ok} requests ok, balancer retries ${JSON.stringify(balancer.retries)}`);
    // Nothing for the balancer to route around: every request, POSTs included, was answered by
    // the replica it was sent to (a refused or reset connection there could have lost a POST).
    expect(balancer.retries).toEqual({ refused: 0, failedIdempotent: 0 });

    await until(async () => {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from email_outbox where status = 'sent'`;
      return row!.n === addresses.length || undefined;
    }, "every queued email sent", 30_000);
    await Bun.sleep(300);
    const received = smtp.received.map((r) => r.to[0]!).sort();
    expect(received).toEqual([...addresses].sort());
  }, 120_000);

  test("unannounced SIGTERM: the balancer moves idempotent requests on, none fails", async () => {
    const load = startLoad(balancer.url, token, 6, false);
    await Bun.sleep(500);
    const [old] = cluster.servers;
    expect(await cluster.stop(old!)).toBe(0);
    await cluster.add();
    await Bun.sleep(500);
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(100);
    // The balancer saw the replica go away (refused connections) and routed around it.
    expect(balancer.retries.refused).toBeGreaterThan(0);
  }, 60_000);
});
