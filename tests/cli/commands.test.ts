/** `imbi migrate`, `imbi setup`, `imbi serve --dev` and IMBI_API_LOG_LEVEL, as real processes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { isolatedEnv, isolatedConfig } from "../helpers/app.ts";
import { runImbi, startServer } from "../helpers/process.ts";
import { createS3 } from "../../src/infra/s3.ts";
import { createClickHouse } from "../../src/infra/clickhouse.ts";

let env: Record<string, string>;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ env, drop } = await isolatedEnv());
});
afterAll(() => drop());

describe("imbi migrate / imbi setup", () => {
  test("setup prepares PostgreSQL, ClickHouse and the bucket, and is idempotent", async () => {
    const first = runImbi(["setup"], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("ClickHouse: database and tables are in place");
    expect(first.stdout).toContain("bucket");
    const { settings } = isolatedConfig(env);
    await createS3(settings.storage).send(new HeadBucketCommand({ Bucket: settings.storage.bucket }));
    const ch = createClickHouse(settings.clickhouse);
    const tables = await (await ch.query({ query: "SHOW TABLES", format: "JSONEachRow" })).json();
    await ch.close();
    expect(tables).toEqual([{ name: "api_key_usage" }, { name: "audit_log" }, { name: "email_log" }, { name: "events" }, { name: "operations_log" }]);
    expect(runImbi(["setup"], env).code).toBe(0);
  });

  test("migrate reports an up-to-date schema", () => {
    const { code, stdout } = runImbi(["migrate"], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/up to date|applied/);
  });

  test("an unreachable PostgreSQL is a clear error, exit 1", () => {
    const { code, stderr } = runImbi(["migrate"], { ...env, POSTGRES_URL: "postgresql://imbi:x@127.0.0.1:1/imbi" });
    expect(code).toBe(1);
    expect(stderr).toContain("imbi:");
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe("IMBI_API_LOG_LEVEL", () => {
  test("warn hides the info lines that info shows", async () => {
    for (const [level, expectInfo] of [["info", true], ["warn", false]] as const) {
      const server = await startServer({ ...env, IMBI_API_LOG_LEVEL: level });
      await fetch(`${server.base}/nowhere`);
      server.proc.kill("SIGTERM");
      await server.proc.exited;
      expect(server.lines.some((l) => l.level === "info")).toBe(expectInfo);
    }
  }, 60_000);
});

describe("imbi serve --dev", () => {
  test("restarts when a file in IMBI_RELOAD_DIRS changes", async () => {
    const watched = mkdtempSync(join(tmpdir(), "imbi-reload-"));
    const server = await startServer({ ...env, IMBI_RELOAD_DIRS: watched }, undefined, "", ["--dev"]);
    const listening = () => server.lines.filter((l) => String(l.msg).includes("listening")).length;
    expect(listening()).toBe(1);
    writeFileSync(join(watched, "plugin.ts"), "export {};\n");
    const deadline = Date.now() + 20_000;
    while (listening() < 2 && Date.now() < deadline) await Bun.sleep(100);
    expect(listening()).toBe(2);
    server.proc.kill("SIGTERM");
    expect(await server.proc.exited).toBe(0);
  }, 60_000);
});
