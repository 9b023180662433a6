/**
 * D6: a write to ClickHouse while it is down is buffered and retried; it never fails or
 * slows the request, and once ClickHouse is back every row arrives, none lost, none twice.
 * The app reaches the stack's ClickHouse through a TCP relay that the test cuts and restores.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { json } from "../../helpers/identity.ts";
import { startRestorableTcpProxy, type RestorableTcpProxy } from "../../helpers/tcp-proxy.ts";

let t: TestApp;
let relay: RestorableTcpProxy;

beforeAll(async () => {
  t = await startTestApp({}, (env) => {
    const url = new URL(env.CLICKHOUSE_URL!.replace(/^clickhouse\+/, ""));
    relay = startRestorableTcpProxy(url.hostname, Number(url.port));
    url.host = `127.0.0.1:${relay.port}`;
    return { ...env, CLICKHOUSE_URL: `clickhouse+${url.toString()}` };
  });
});
afterAll(async () => {
  relay.restore();
  await t.close();
  relay.cut();
});

const failedLogin = () => t.req("/auth/login", json({ email: "outage@example.com", password: "wrong-password" }));

async function count(where: string): Promise<{ rows: number; distinct: number }> {
  const result = await t.infra.clickhouse.query({
    query: `SELECT count() AS rows, uniqExact(event_id) AS distinct FROM audit_log WHERE ${where}`, format: "JSONEachRow",
  });
  const [row] = await result.json<{ rows: number | string; distinct: number | string }>();
  return { rows: Number(row!.rows), distinct: Number(row!.distinct) };
}

describe("audit log while ClickHouse is unreachable", () => {
  test("requests are unaffected; rows are kept, then delivered exactly once when it returns", async () => {
    expect((await failedLogin()).status).toBe(401);
    await t.ctx.analytics.flush();
    expect(await count("event_type = 'login.failed'")).toEqual({ rows: 1, distinct: 1 });

    relay.cut();
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect((await failedLogin()).status).toBe(401);
      expect(performance.now() - started).toBeLessThan(1500);
    }
    for (let n = 0; n < 20; n++) t.ctx.events.emit({ type: "test.outage", outcome: "success", detail: { n } });
    await t.ctx.analytics.flush();
    expect(t.ctx.analytics.buffered).toBe(25);
    await Bun.sleep(1500); // a few retries fail while the relay is down
    expect(t.ctx.analytics.buffered).toBe(25);
    expect(t.logs.filter((l) => l.msg.startsWith("ClickHouse writes failing"))).toHaveLength(1);

    relay.restore();
    const deadline = Date.now() + 20_000;
    while (t.ctx.analytics.buffered > 0 && Date.now() < deadline) await Bun.sleep(50);
    expect(t.ctx.analytics.buffered).toBe(0);
    expect(t.logs.some((l) => l.msg.startsWith("ClickHouse writes recovered"))).toBe(true);

    expect(await count("event_type = 'login.failed'")).toEqual({ rows: 6, distinct: 6 });
    expect(await count("event_type = 'test.outage'")).toEqual({ rows: 20, distinct: 20 });
    const result = await t.infra.clickhouse.query({
      query: "SELECT JSONExtractInt(detail, 'n') AS n FROM audit_log WHERE event_type = 'test.outage' ORDER BY n", format: "JSONEachRow",
    });
    expect((await result.json<{ n: number | string }>()).map((r) => Number(r.n))).toEqual([...Array(20).keys()]);
  });
});
