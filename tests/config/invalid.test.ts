/** A bad value is reported with the setting, where it came from and what was expected. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ConfigError } from "../../src/config/load.ts";
import { configSandbox, SECRETS } from "../helpers/config.ts";

function problemsFor(env: Record<string, string>, files: Record<string, string> = {}): string[] {
  const box = configSandbox();
  for (const [path, text] of Object.entries(files)) box.write(join(box.cwd, path), text);
  try {
    box.load({ ...SECRETS, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("invalid settings", () => {
  test.each([
    ["IMBI_API_PORT", "http"],
    ["IMBI_API_PORT", "70000"],
    ["ENVIRONMENT", "prod"],
    ["IMBI_API_CORS_ALLOWED_ORIGINS", "https://a.example.com"],
    ["IMBI_API_CORS_ALLOWED_ORIGINS", '["not an origin"]'],
    ["IMBI_API_FORWARDED_ALLOW_IPS", "10.0.0.0/33"],
    ["IMBI_API_URL", "ftp://example.com"],
    ["POSTGRES_URL", "mysql://localhost/imbi"],
    ["POSTGRES_MAX_POOL_SIZE", "0"],
    ["POSTGRES_GRAPH_NAME", "Robert'); drop"],
    ["CLICKHOUSE_CONNECT_TIMEOUT", "-1"],
    ["CLICKHOUSE_MAX_CONNECT_ATTEMPTS", "1.5"],
    ["VALKEY_URL", "memcached://localhost"],
    ["S3_BUCKET", "UPPER_case"],
    ["S3_MAX_FILE_SIZE", "0"],
    ["S3_THUMBNAIL_QUALITY", "101"],
    ["S3_ALLOWED_CONTENT_TYPES", "image/png"],
    ["S3_CREATE_BUCKET_ON_INIT", "maybe"],
    ["IMBI_EMAIL_FROM_EMAIL", "not-an-address"],
    ["IMBI_EMAIL_SMTP_TIMEOUT", "0"],
    ["IMBI_AUTH_JWT_ALGORITHM", "none"],
    ["IMBI_AUTH_JWT_ALGORITHM", "RS256"],
    ["IMBI_AUTH_ENCRYPTION_KEY", "too-short"],
    ["IMBI_AUTH_MFA_TOTP_DIGITS", "4"],
    ["IMBI_AUTH_RATE_LIMIT_LOGIN", "lots"],
    ["IMBI_AUTH_RATE_LIMIT_API_KEY", "0/minute"],
    ["IMBI_RELEASES_VERSION_FORMAT", "calver"],
    ["EMBEDDINGS_MODELS", "{not json"],
    ["EMBEDDINGS_ENABLED", "sometimes"],
  ])("%s=%p is refused and named", (name, value) => {
    const problems = problemsFor({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith(`${name}`);
    expect(problems[0]).toContain("(environment)");
    expect(problems[0]).toContain("expected");
  });

  test("secret values are never echoed", () => {
    const [problem] = problemsFor({ IMBI_AUTH_JWT_SECRET: "hunter2" });
    expect(problem).toStartWith("IMBI_AUTH_JWT_SECRET (environment)");
    expect(problem).not.toContain("hunter2");
  });

  test("every problem is reported at once", () => {
    expect(problemsFor({ IMBI_API_PORT: "x", S3_REGION: "", VALKEY_URL: "x", IMBI_EMAIL_MAX_RETRIES: "-1" }).length).toBe(3);
  });

  test("a bad value in a file names the file and the TOML key", () => {
    const [problem] = problemsFor({}, { "config.toml": '[server]\nport = "eighty"\n' });
    expect(problem).toMatch(/^\[server\] port = "eighty" \(.*config\.toml\): expected/);
  });

  test("unknown sections and keys in a file are refused (typos must not pass silently)", () => {
    const problems = problemsFor({}, { "config.toml": "[server]\nprot = 8000\n[database]\nurl = \"x\"\n" });
    expect(problems.some((p) => p.includes("unknown setting [server] prot"))).toBe(true);
    expect(problems.some((p) => p.includes("unknown section [database]"))).toBe(true);
  });

  test("a TOML syntax error names the line", () => {
    const [problem] = problemsFor({}, { "config.toml": "[server]\nport = = 1\n" });
    expect(problem).toContain("line 2");
  });

  test("cross-setting conflicts are refused", () => {
    expect(problemsFor({ POSTGRES_MIN_POOL_SIZE: "20", POSTGRES_MAX_POOL_SIZE: "10" })[0]).toContain("POSTGRES_MIN_POOL_SIZE");
    expect(problemsFor({ IMBI_EMAIL_SMTP_USE_SSL: "true" })[0]).toContain("both true");
    expect(problemsFor({ EMBEDDINGS_DEFAULT_MODEL: "missing" })[0]).toContain("EMBEDDINGS_DEFAULT_MODEL");
  });

  test("a malformed .env line is reported with its line number", () => {
    const [problem] = problemsFor({}, { ".env": "GOOD=1\nthis is not a pair\n" });
    expect(problem).toContain(".env line 2");
  });
});
