/** `imbi serve` on SIGTERM delivers the audit rows still buffered before it closes ClickHouse. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@clickhouse/client";
import { isolatedEnv } from "../../helpers/app.ts";
import { startServer } from "../../helpers/process.ts";
import { parseClickHouseUrl } from "../../../src/infra/clickhouse.ts";

let env: Record<string, string>;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ env, drop } = await isolatedEnv());
});
afterAll(() => drop());

describe("imbi serve shutdown", () => {
  test("events emitted just before SIGTERM reach audit_log", async () => {
    const server = await startServer(env);
    const attempts = await Promise.all([1, 2, 3].map(() => fetch(`${server.base}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "shutdown@example.com", password: "wrong-password" }),
    })));
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401]);
    // Well inside the writer's 1 s flush interval: only the shutdown flush can deliver them.
    server.proc.kill("SIGTERM");
    expect(await server.proc.exited).toBe(0);

    const ch = createClient({ ...parseClickHouseUrl(env.CLICKHOUSE_URL!) });
    try {
      const result = await ch.query({
        query: "SELECT count() AS n FROM audit_log WHERE event_type = 'login.failed' AND actor_name = 'shutdown@example.com'",
        format: "JSONEachRow",
      });
      const [row] = await result.json<{ n: number | string }>();
      expect(Number(row!.n)).toBe(3);
    } finally {
      await ch.close();
    }
  });
});
