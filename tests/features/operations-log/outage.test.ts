/** ClickHouse unreachable: the operations log and events answer 503 with a detail, never 500. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createUser, json, login } from "../../helpers/identity.ts";
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
  test.each([["/operations-log/"], ["/operations-log/abc"], ["/events/"], ["/events/abc"]])("GET %s → 503", async (path) => {
    const response = await t.req(path, { headers });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: "ClickHouse is unavailable; try again later" });
  });

  test("a write → 503 (or 4xx for its own input), never 500", async () => {
    const response = await t.req("/operations-log/", json({ project_id: "nope", entry_type: "Deployed", description: "x" }, headers));
    expect(response.status).not.toBe(500);
  });
});
