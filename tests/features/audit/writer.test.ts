/**
 * The buffered ClickHouse writer (src/infra/clickhouse-writer.ts): batching, retries with
 * backoff, the bounded buffer, shutdown flush, and no duplicates when an insert's answer is
 * lost. Most cases use a scripted client; the duplicate case uses the real ClickHouse.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClickHouseClient } from "@clickhouse/client";
import { ClickHouseWriter, type ClickHouseWriterOptions } from "../../../src/infra/clickhouse-writer.ts";
import { createLogger } from "../../../src/infra/logger.ts";
import { toAuditRow } from "../../../src/features/audit/audit-log.ts";
import { startTestApp, type LogLine, type TestApp } from "../../helpers/app.ts";

type InsertParams = Parameters<ClickHouseClient["insert"]>[0];
interface Insert { table: string; rows: Record<string, unknown>[]; token: unknown }

/** A client whose inserts follow `behave` (throw to fail); every call is recorded. */
function scriptedClient(behave: (call: number, params: InsertParams) => void | Promise<void> = () => {}) {
  const calls: Insert[] = [];
  const delivered: Insert[] = [];
  const client = {
    async insert(params: InsertParams) {
      const call: Insert = {
        table: params.table, rows: [...(params.values as Record<string, unknown>[])],
        token: params.clickhouse_settings?.insert_deduplication_token,
      };
      calls.push(call);
      await behave(calls.length, params);
      delivered.push(call);
      return {} as Awaited<ReturnType<ClickHouseClient["insert"]>>;
    },
  };
  return { client, calls, delivered };
}

function writerWith(client: Pick<ClickHouseClient, "insert">, options: ClickHouseWriterOptions = {}) {
  const logs: LogLine[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(JSON.parse(line)) } });
  const writer = new ClickHouseWriter(client, logger, { flushIntervalMs: 60_000, ...options });
  return { writer, logs };
}

const down = () => { throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }); };

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

describe("batching", () => {
  test("rows go out per table in batches of batchSize, each with its own dedup token", async () => {
    const { client, delivered } = scriptedClient();
    const { writer } = writerWith(client, { batchSize: 1000 });
    for (let n = 0; n < 2500; n++) writer.write("a", { n });
    for (let n = 0; n < 10; n++) writer.write("b", { n });
    await writer.flush();
    expect(delivered.map((i) => [i.table, i.rows.length])).toEqual([["a", 1000], ["a", 1000], ["a", 500], ["b", 10]]);
    expect(delivered.flatMap((i) => i.rows.map((r) => r.n))).toEqual([...Array(2500).keys(), ...Array(10).keys()]);
    expect(new Set(delivered.map((i) => i.token)).size).toBe(4);
    expect(writer.buffered).toBe(0);
    await writer.close();
  });

  test("flushes on its own every flushIntervalMs", async () => {
    const { client, delivered } = scriptedClient();
    const { writer } = writerWith(client, { flushIntervalMs: 30 });
    writer.write("a", { n: 1 });
    expect(delivered).toHaveLength(0);
    await until(() => delivered.length === 1, 1000);
    await writer.close();
  });

  test("write() neither waits nor throws when ClickHouse hangs", async () => {
    const { client } = scriptedClient(() => new Promise<void>(() => {}));
    const { writer } = writerWith(client, { batchSize: 10 });
    const started = performance.now();
    for (let n = 0; n < 10_000; n++) writer.write("a", { n });
    expect(performance.now() - started).toBeLessThan(500);
    expect(writer.buffered).toBe(10_000);
  });
});

describe("ClickHouse down", () => {
  test("rows stay in memory and are retried with backoff and the same token until delivered once; logged once each way", async () => {
    const { client, calls, delivered } = scriptedClient((call) => { if (call <= 3) down(); });
    const { writer, logs } = writerWith(client, { flushIntervalMs: 5, firstBackoffMs: 20 });
    for (let n = 0; n < 5; n++) writer.write("a", { n });
    await until(() => delivered.length === 1, 3000);
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.token)).size).toBe(1);
    expect(delivered[0]!.rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 4]);
    expect(writer.buffered).toBe(0);
    expect(logs.filter((l) => l.msg.startsWith("ClickHouse writes failing"))).toHaveLength(1);
    expect(logs.filter((l) => l.msg.startsWith("ClickHouse writes recovered"))).toHaveLength(1);
    await writer.close();
  });

  test("backoff: attempts are spaced out, doubling", async () => {
    const { client, calls } = scriptedClient(down);
    const { writer } = writerWith(client, { flushIntervalMs: 5, firstBackoffMs: 40, maxBackoffMs: 1000 });
    writer.write("a", { n: 1 });
    await writer.flush();
    await Bun.sleep(300);
    // 40 + 80 + 160 ms of backoff fit in 300 ms: about 4 attempts, not the ~60 a 5 ms tick would make.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(5);
    expect(writer.buffered).toBe(1);
  });

  test("the buffer is bounded: the oldest rows are dropped and counted in a log line", async () => {
    let up = false;
    const { client, delivered } = scriptedClient(() => { if (!up) down(); });
    const { writer, logs } = writerWith(client, { maxBuffered: 10, flushIntervalMs: 20, firstBackoffMs: 10 });
    for (let n = 0; n < 15; n++) writer.write("a", { n });
    expect(writer.buffered).toBe(10);
    await until(() => logs.some((l) => l.msg.includes("dropped the 5 oldest")), 1000);
    up = true;
    await until(() => writer.buffered === 0, 2000);
    expect(delivered.flatMap((i) => i.rows.map((r) => r.n))).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    await writer.close();
  });

  test("a batch refused as bad data is dropped after 3 tries with an error log; the rows behind it still go", async () => {
    const { client, delivered } = scriptedClient((_, params) => {
      if (params.table === "bad") throw Object.assign(new Error("Cannot parse input"), { code: "117" });
    });
    const { writer, logs } = writerWith(client);
    writer.write("bad", { n: 1 });
    writer.write("good", { n: 2 });
    for (let i = 0; i < 3; i++) await writer.flush();
    expect(delivered.map((i) => i.table)).toEqual(["good"]);
    expect(writer.buffered).toBe(0);
    expect(logs.find((l) => l.level === "error")).toMatchObject({ table: "bad", rows: 1 });
    await writer.close();
  });
});

describe("close()", () => {
  test("delivers what is buffered", async () => {
    const { client, delivered } = scriptedClient();
    const { writer } = writerWith(client);
    writer.write("a", { n: 1 });
    await writer.close();
    expect(delivered).toHaveLength(1);
  });

  test("what it cannot deliver before the deadline is logged, not silently lost", async () => {
    const { client } = scriptedClient(down);
    const { writer, logs } = writerWith(client);
    writer.write("a", { n: 1 });
    writer.write("a", { n: 2 });
    await writer.close(300);
    expect(logs.find((l) => l.level === "error")).toMatchObject({ rows: 2 });
  });
});

describe("against ClickHouse", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  test("an insert that reached the server but whose answer was lost is not stored twice", async () => {
    let lostAnswers = 1;
    const { client } = scriptedClient(async (_, params) => {
      await t.infra.clickhouse.insert(params);
      if (lostAnswers-- > 0) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    });
    const { writer } = writerWith(client);
    for (let n = 0; n < 3; n++) {
      writer.write("audit_log", toAuditRow({ type: "test.lost_answer", outcome: "success", detail: { n }, at: new Date() }));
    }
    await writer.flush(); // stored, but the writer saw an error
    expect(writer.buffered).toBe(3);
    await writer.flush(); // the same batch again, same token
    expect(writer.buffered).toBe(0);
    const result = await t.infra.clickhouse.query({ query: "SELECT count() AS n FROM audit_log WHERE event_type = 'test.lost_answer'", format: "JSONEachRow" });
    const [row] = await result.json<{ n: number | string }>();
    expect(Number(row!.n)).toBe(3); // 6 if the retry had been stored too
    await writer.close();
  });
});
