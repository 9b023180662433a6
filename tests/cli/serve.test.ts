/** `imbi serve` as a process: startup errors, SIGTERM draining. `imbi config` output. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isolatedEnv } from "../helpers/app.ts";
import { blackHole, runImbi, startServer } from "../helpers/process.ts";
import { SECRETS } from "../helpers/config.ts";

describe("startup with a bad setting", () => {
  test("exits 2 with one line per problem naming the setting and its source, no stack trace", () => {
    const { code, stderr } = runImbi(["serve"], { IMBI_API_PORT: "eighty", S3_THUMBNAIL_QUALITY: "500" });
    expect(code).toBe(2);
    expect(stderr).toContain('IMBI_API_PORT="eighty" (environment): expected a port');
    expect(stderr).toContain('S3_THUMBNAIL_QUALITY="500" (environment)');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test("production without secrets refuses to start", () => {
    const { code, stderr } = runImbi(["serve"], { ENVIRONMENT: "production" });
    expect(code).toBe(2);
    expect(stderr).toContain("IMBI_AUTH_JWT_SECRET is not set");
  });
});

describe("imbi config", () => {
  test("prints each value with its source and never a secret", () => {
    const { code, stdout } = runImbi(["config"], {
      ...SECRETS, POSTGRES_URL: "postgresql://imbi:pg-password@db:5432/imbi", IMBI_EMAIL_SMTP_PASSWORD: "smtp-password", IMBI_API_PORT: "9000",
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/port = 9000\s+# IMBI_API_PORT <- environment IMBI_API_PORT/);
    expect(stdout).toMatch(/host = "localhost"\s+# IMBI_API_HOST <- default/);
    expect(stdout).toContain("postgresql://imbi:****@db:5432/imbi");
    for (const secret of ["pg-password", "smtp-password", SECRETS.IMBI_AUTH_JWT_SECRET, SECRETS.IMBI_AUTH_ENCRYPTION_KEY]) {
      expect(stdout).not.toContain(secret);
    }
    expect(stdout).toContain('jwt_secret = "<redacted>"');
  });

  test("--json is machine-readable", () => {
    const rows = JSON.parse(runImbi(["config", "--json"], SECRETS).stdout) as { env: string; source: string }[];
    expect(rows.find((r) => r.env === "IMBI_AUTH_JWT_SECRET")!.source).toBe("environment IMBI_AUTH_JWT_SECRET");
  });

  test("every command has --help", () => {
    for (const command of ["serve", "migrate", "setup", "config", "version", "generate-secrets", "healthcheck"]) {
      const { code, stdout } = runImbi([command, "--help"], {});
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: imbi ${command}`);
    }
  });
});

describe("imbi serve", () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  const hole = blackHole();
  beforeAll(async () => {
    ({ env, drop } = await isolatedEnv({
      // A ClickHouse that accepts and never answers makes /status slow: a request in flight.
      CLICKHOUSE_URL: `clickhouse+http://127.0.0.1:${hole.port}/imbi`,
      CLICKHOUSE_MAX_CONNECT_ATTEMPTS: "1",
      CLICKHOUSE_CONNECT_TIMEOUT: "1.5",
    }));
  });
  afterAll(async () => {
    hole.stop();
    await drop();
  });

  test("SIGTERM finishes the in-flight request, then exits 0", async () => {
    const server = await startServer(env);
    const inFlight = fetch(`${server.base}/status`);
    await Bun.sleep(300);
    server.proc.kill("SIGTERM");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("degraded");
    expect(await server.proc.exited).toBe(0);
    expect(server.lines.some((l) => String(l.msg).includes("shutting down"))).toBe(true);
    expect(fetch(`${server.base}/status`)).rejects.toThrow();
  });

  test("healthcheck exits 0 against a healthy local server", async () => {
    const server = await startServer(env);
    const port = new URL(server.base).port;
    const { code } = runImbi(["healthcheck"], { ...env, IMBI_API_HOST: "127.0.0.1", IMBI_API_PORT: port });
    expect(code).toBe(0);
    server.proc.kill("SIGTERM");
    await server.proc.exited;
    expect(runImbi(["healthcheck"], { ...env, IMBI_API_HOST: "127.0.0.1", IMBI_API_PORT: port }).code).toBe(1);
  });
});
