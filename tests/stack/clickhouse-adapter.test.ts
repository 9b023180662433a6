// The official @clickhouse/client against the stack's ClickHouse (the chdb
// adapter natively, clickhouse-server under compose), used exactly as the app would.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { loadStackEnv } from "../helpers/stack-env.ts";

const env = loadStackEnv(["CLICKHOUSE_URL"]);
// The app strips the `clickhouse+` scheme prefix the same way. A database in the
// URL path would override the client's `database` option, so it is dropped here.
const url = new URL(env.CLICKHOUSE_URL!.replace(/^clickhouse\+/, ""));
url.pathname = "/";
const database = `stack_test_${process.pid}_${Date.now()}`;
// Failing queries are expected below; keep the client from logging them.
const log = { level: ClickHouseLogLevel.OFF };

let admin: ClickHouseClient;
let client: ClickHouseClient;

beforeAll(() => {
  admin = createClient({ url: url.toString(), log });
  client = createClient({ url: url.toString(), database, log });
});

afterAll(async () => {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await Promise.all([admin.close(), client.close()]);
});

describe("ClickHouse via @clickhouse/client", () => {
  test("ping", async () => {
    expect(await admin.ping()).toEqual({ success: true });
  });

  test("creates a database and a MergeTree table with DateTime64/Map/LowCardinality and a TTL", async () => {
    await admin.command({ query: `CREATE DATABASE ${database}` });
    await client.command({
      query: `
        CREATE TABLE events (
          id UInt32,
          ts DateTime64(3, 'UTC'),
          kind LowCardinality(String),
          attributes Map(String, String),
          note String
        ) ENGINE = MergeTree
        ORDER BY (kind, ts)
        TTL toDateTime(ts) + INTERVAL 90 DAY`,
    });
    const rows = await client.query({
      query: "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'events' ORDER BY position",
      query_params: { db: database },
      format: "JSONEachRow",
    });
    expect(await rows.json()).toEqual([
      { name: "id", type: "UInt32" },
      { name: "ts", type: "DateTime64(3, 'UTC')" },
      { name: "kind", type: "LowCardinality(String)" },
      { name: "attributes", type: "Map(String, String)" },
      { name: "note", type: "String" },
    ]);
  });

  test("inserts JSONEachRow rows", async () => {
    const now = new Date();
    const ts = now.toISOString().replace("T", " ").replace("Z", "");
    const result = await client.insert({
      table: "events",
      format: "JSONEachRow",
      values: [
        { id: 1, ts, kind: "deploy", attributes: { service: "api", env: "prod" }, note: "it's \\ tricky\twith tab" },
        { id: 2, ts, kind: "deploy", attributes: {}, note: "plain" },
        { id: 3, ts, kind: "incident", attributes: { severity: "high" }, note: "other" },
      ],
    });
    expect(result.executed).toBe(true);
    const count = await client.query({ query: "SELECT count() AS n FROM events", format: "JSONEachRow" });
    // UInt64 is quoted in JSON or not depending on the server version's defaults.
    expect((await count.json<{ n: string | number }>()).map((r) => Number(r.n))).toEqual([3]);
  });

  test("selects with query_params of several types", async () => {
    const rows = await client.query({
      query: `
        SELECT id, kind, attributes, note
        FROM events
        WHERE kind IN {kinds:Array(String)}
          AND note = {note:String}
          AND ts >= {since:DateTime64(3)}
          AND id <= {max_id:UInt32}
        ORDER BY id`,
      query_params: {
        kinds: ["deploy", "it's"],
        note: "it's \\ tricky\twith tab",
        since: new Date(Date.now() - 3_600_000),
        max_id: 10,
      },
      format: "JSONEachRow",
    });
    expect(await rows.json()).toEqual([
      { id: 1, kind: "deploy", attributes: { service: "api", env: "prod" }, note: "it's \\ tricky\twith tab" },
    ]);

    const json = await client.query({
      query: "SELECT {m:Map(String, String)} AS m, {n:Nullable(String)} AS n, currentDatabase() AS db",
      query_params: { m: { "k'1": "v\\1" }, n: null },
      format: "JSON",
    });
    const body = await json.json<{ m: Record<string, string>; n: string | null; db: string }>();
    expect(body.data).toEqual([{ m: { "k'1": "v\\1" }, n: null, db: database }]);
  });

  test("bad SQL raises a ClickHouseError with the server's code", async () => {
    const error = await client.query({ query: "SELEC 1", format: "JSONEachRow" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect((error as ClickHouseError).code).toBe("62");

    const missing = await client.command({ query: "SELECT * FROM no_such_table" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ClickHouseError);
    expect((missing as ClickHouseError).code).toBe("60");
  });

  test("wrong credentials are rejected", async () => {
    const wrong = new URL(url);
    wrong.password = "not-the-password";
    const intruder = createClient({ url: wrong.toString(), log });
    try {
      const error = await intruder.query({ query: "SELECT 1" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClickHouseError);
      expect((error as ClickHouseError).code).toBe("516");
    } finally {
      await intruder.close();
    }
  });
});
