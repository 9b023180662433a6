/** D3: each infrastructure setting, changed, has an observable effect on a real service. */
import { afterAll, describe, expect, test } from "bun:test";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import postgres from "postgres";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { blackHole } from "../helpers/process.ts";
import { deadPort } from "../helpers/tcp-proxy.ts";
import { loadStackEnv } from "../helpers/stack-env.ts";
import type { StatusResponse } from "../../src/features/status/model.ts";

const opened: TestApp[] = [];
async function app(env: Record<string, string>): Promise<TestApp> {
  const t = await startTestApp(env);
  opened.push(t);
  return t;
}
afterAll(() => Promise.all(opened.map((t) => t.close())));

async function imbiConnections(t: TestApp): Promise<number> {
  const url = new URL(t.env.POSTGRES_URL!);
  const observer = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const [row] = await observer`select count(*)::int as n from pg_stat_activity where datname = ${url.pathname.slice(1)} and application_name = 'imbi'`;
  await observer.end();
  return row!.n as number;
}

describe("POSTGRES_*", () => {
  test("POSTGRES_MIN_POOL_SIZE connections are open right after startup", async () => {
    expect(await imbiConnections(await app({ POSTGRES_MIN_POOL_SIZE: "4" }))).toBe(4);
  });

  test("POSTGRES_MAX_POOL_SIZE caps concurrent connections", async () => {
    const t = await app({ POSTGRES_MIN_POOL_SIZE: "0", POSTGRES_MAX_POOL_SIZE: "3" });
    await Promise.all(Array.from({ length: 12 }, () => t.infra.sql`select pg_sleep(0.05)`));
    expect(await imbiConnections(t)).toBe(3);
  });

  test("POSTGRES_GRAPH_NAME names the schema that holds Imbi's tables", async () => {
    const t = await app({ POSTGRES_GRAPH_NAME: "catalog" });
    const [row] = await t.infra.sql`select to_regclass('catalog.schema_migrations') is not null as present`;
    expect(row!.present).toBe(true);
  });
});

describe("CLICKHOUSE_*", () => {
  test("CLICKHOUSE_MAX_CONNECT_ATTEMPTS and CLICKHOUSE_CONNECT_TIMEOUT bound the startup wait", async () => {
    const hole = blackHole();
    const started = performance.now();
    const t = await app({
      CLICKHOUSE_URL: `clickhouse+http://127.0.0.1:${hole.port}/imbi`,
      CLICKHOUSE_MAX_CONNECT_ATTEMPTS: "2",
      CLICKHOUSE_CONNECT_TIMEOUT: "0.4",
    });
    const elapsed = performance.now() - started;
    hole.stop();
    // Two attempts of 0.4 s plus one 0.5 s backoff; far less than the 10 x 10 s defaults.
    expect(elapsed).toBeGreaterThan(1200);
    expect(elapsed).toBeLessThan(8000);
    const attempts = t.logs.filter((l) => l.dependency === "ClickHouse" && l.attempt !== undefined);
    expect(attempts.map((l) => l.attempt)).toEqual([1]);
    expect(t.infra.pending.has("clickhouse")).toBe(true);
  });

  test("tables are created in the database named by CLICKHOUSE_URL", async () => {
    const t = await app({});
    const result = await t.infra.clickhouse.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", format: "JSONEachRow" });
    expect(((await result.json()) as { name: string }[]).map((r) => r.name)).toEqual(["api_key_usage", "audit_log", "email_log", "events", "operations_log"]);
  });
});

describe("S3_*", () => {
  test("S3_CREATE_BUCKET_ON_INIT=false leaves a missing bucket missing, and /status says so", async () => {
    const t = await app({ S3_CREATE_BUCKET_ON_INIT: "false" });
    expect(t.infra.s3.send(new HeadBucketCommand({ Bucket: t.config.settings.storage.bucket }))).rejects.toThrow();
    const body = (await (await t.req("/status")).json()) as StatusResponse;
    expect(body.dependencies.s3!.status).toBe("error");
  });

  test("S3_BUCKET with S3_CREATE_BUCKET_ON_INIT=true is created", async () => {
    const t = await app({ S3_CREATE_BUCKET_ON_INIT: "true" });
    await t.infra.s3.send(new HeadBucketCommand({ Bucket: t.config.settings.storage.bucket }));
  });
});

describe("VALKEY_URL and IMBI_EMAIL_*", () => {
  test("VALKEY_URL selects the server and database", async () => {
    const t = await app({ VALKEY_URL: t0Url(3) });
    await t.infra.valkey.set("imbi-test-key", "1");
    expect(await t.infra.valkey.info("keyspace")).toContain("db3:");
  });

  test("IMBI_EMAIL_SMTP_PORT pointing nowhere makes the SMTP check fail; disabled email is reported as such", async () => {
    const broken = await app({ IMBI_EMAIL_SMTP_PORT: String(deadPort()), IMBI_EMAIL_SMTP_USE_TLS: "false" });
    expect(((await (await broken.req("/status")).json()) as StatusResponse).dependencies.email!.status).toBe("error");
    const off = await app({ IMBI_EMAIL_ENABLED: "false" });
    expect(((await (await off.req("/status")).json()) as StatusResponse).dependencies.email!.status).toBe("disabled");
  });
});

function t0Url(db: number): string {
  return loadStackEnv().VALKEY_URL!.replace(/\/\d+$/, `/${db}`);
}
