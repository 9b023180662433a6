/** ClickHouse unreachable: the operations-log tools answer a 503 tool error, never a 500 or a hang. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createApiKey, createUser } from "../../helpers/identity.ts";
import { deadPort } from "../../helpers/tcp-proxy.ts";
import { callTool, connect, NO_EMBEDDINGS } from "./fixtures.ts";

let t: TestApp;
let client: Client;
beforeAll(async () => {
  t = await startTestApp({
    ...NO_EMBEDDINGS,
    CLICKHOUSE_URL: `clickhouse+http://127.0.0.1:${deadPort()}/imbi`, CLICKHOUSE_MAX_CONNECT_ATTEMPTS: "1", CLICKHOUSE_CONNECT_TIMEOUT: "0.5",
  });
  const admin = await createUser(t, { isAdmin: true });
  client = await connect(t.listen(), (await createApiKey(t, { userId: admin.id })).key);
});
afterAll(async () => {
  await client.close();
  await t.close();
});

test("list_operations_log with ClickHouse down → a 503 tool error with the usual detail", async () => {
  expect(await callTool(client, "list_operations_log")).toEqual({
    isError: true, body: { status: 503, detail: "ClickHouse is unavailable; try again later" },
  });
  expect(t.logs).toContainEqual(expect.objectContaining({ msg: "mcp tool call", tool: "list_operations_log", status: 503 }));
});
