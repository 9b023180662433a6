/** GET /status: each dependency's state, degraded for optional ones, 503 without PostgreSQL, never auth. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { deadPort, startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import type { StatusResponse } from "../../src/features/status/model.ts";

const statusOf = async (t: TestApp) => {
  const response = await t.req("/status");
  return { code: response.status, body: (await response.json()) as StatusResponse };
};

describe("with every service up", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  test("status is ok and every dependency answers", async () => {
    const { code, body } = await statusOf(t);
    expect(code).toBe(200);
    expect(body.status).toBe("ok");
    for (const name of ["postgres", "valkey", "clickhouse", "s3", "email"]) {
      expect(body.dependencies[name]!.status).toBe("ok");
    }
  });

  test("it needs no credentials and ignores bad ones", async () => {
    const response = await t.req("/status", { headers: { authorization: "Bearer not-a-token" } });
    expect(response.status).toBe(200);
  });

  test("the bucket was created (S3_CREATE_BUCKET_ON_INIT)", async () => {
    expect(t.infra.pending.size).toBe(0);
  });
});

describe("with optional services down", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      VALKEY_URL: `valkey://127.0.0.1:${deadPort()}/0`,
      CLICKHOUSE_URL: `clickhouse+http://127.0.0.1:${deadPort()}/imbi`,
      CLICKHOUSE_MAX_CONNECT_ATTEMPTS: "1",
      CLICKHOUSE_CONNECT_TIMEOUT: "0.5",
      IMBI_EMAIL_ENABLED: "false",
    });
  });
  afterAll(() => t.close());

  test("the server still starts and reports degraded, naming the failing ones", async () => {
    const { code, body } = await statusOf(t);
    expect(code).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.dependencies.valkey!.status).toBe("error");
    expect(body.dependencies.clickhouse!.status).toBe("error");
    expect(body.dependencies.postgres!.status).toBe("ok");
    expect(body.dependencies.email!.status).toBe("disabled");
  });

  test("failure reasons stay out of the response and go to the log", async () => {
    const text = JSON.stringify((await statusOf(t)).body);
    expect(text).not.toContain("127.0.0.1");
    expect(t.logs.some((l) => l.dependency === "clickhouse" && l.level === "warn")).toBe(true);
  });
});

describe("when PostgreSQL goes away", () => {
  let t: TestApp;
  let proxy: TcpProxy;
  beforeAll(async () => {
    t = await startTestApp({}, (env) => {
      const url = new URL(env.POSTGRES_URL!);
      proxy = startTcpProxy(url.hostname, Number(url.port));
      url.port = String(proxy.port);
      return { ...env, POSTGRES_URL: url.toString() };
    });
  });
  afterAll(() => t.close().catch(() => {}));

  test("status is error with 503", async () => {
    expect((await statusOf(t)).code).toBe(200);
    proxy.cut();
    await Bun.sleep(1100); // past the check cache
    const { code, body } = await statusOf(t);
    expect(code).toBe(503);
    expect(body.status).toBe("error");
    expect(body.dependencies.postgres!.status).toBe("error");
  });
});
