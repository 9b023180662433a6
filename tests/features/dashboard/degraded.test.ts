/** The admin dashboard with ClickHouse unreachable: status reports it (and stays fast), metrics answer 503. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createUser, login } from "../../helpers/identity.ts";
import { deadPort } from "../../helpers/tcp-proxy.ts";

let t: TestApp;
let headers: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp({
    CLICKHOUSE_URL: `clickhouse+http://127.0.0.1:${deadPort()}/imbi`, CLICKHOUSE_MAX_CONNECT_ATTEMPTS: "1", CLICKHOUSE_CONNECT_TIMEOUT: "0.5",
  });
  headers = bearer((await login(t, await createUser(t, { isAdmin: true }))).access_token);
});
afterAll(() => t.close());

describe("with ClickHouse down", () => {
  test("status: ClickHouse error with a detail, the other stores ok, within the per-check timeout", async () => {
    const started = performance.now();
    const response = await t.req("/admin/dashboard/status", { headers });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(response.status).toBe(200);
    const body = await response.json() as { datastores: { name: string; status: string; detail: string | null; size_bytes: number | null }[] };
    const byName = Object.fromEntries(body.datastores.map((d) => [d.name, d]));
    expect(byName.ClickHouse).toMatchObject({ status: "error", size_bytes: null });
    expect(typeof byName.ClickHouse!.detail).toBe("string");
    expect(byName.PostgreSQL!.status).toBe("ok");
    expect(byName.Valkey!.status).toBe("ok");
  });

  test("metrics → 503 with a detail, never 500", async () => {
    const response = await t.req("/admin/dashboard/metrics", { headers });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: "ClickHouse is unavailable; try again later" });
  });
});
