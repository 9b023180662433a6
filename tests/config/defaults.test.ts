/** Every default of shared/spec/seed-configuration.md, read back through the loader. */
import { describe, expect, test } from "bun:test";
import { configSandbox, SECRETS } from "../helpers/config.ts";
import { effectiveSettings } from "../../src/config/describe.ts";

const SEED_DEFAULTS: [string, unknown][] = [
  ["ENVIRONMENT", "development"], ["IMBI_API_HOST", "localhost"], ["IMBI_API_PORT", 8000],
  ["IMBI_API_CORS_ALLOWED_ORIGINS", []], ["IMBI_API_FORWARDED_ALLOW_IPS", ""], ["IMBI_API_URL", ""],
  ["POSTGRES_URL", "postgresql://postgres:****@localhost:5432/imbi"], ["POSTGRES_GRAPH_NAME", "imbi"],
  ["POSTGRES_MIN_POOL_SIZE", 2], ["POSTGRES_MAX_POOL_SIZE", 10],
  ["CLICKHOUSE_URL", "clickhouse+http://localhost:8123"], ["CLICKHOUSE_CONNECT_TIMEOUT", 10],
  ["CLICKHOUSE_MAX_CONNECT_ATTEMPTS", 10], ["VALKEY_URL", "valkey://localhost:6379/0"],
  ["S3_ENDPOINT_URL", null], ["S3_ACCESS_KEY", null], ["S3_SECRET_KEY", null], ["S3_BUCKET", "imbi-uploads"],
  ["S3_REGION", "us-east-1"], ["S3_CREATE_BUCKET_ON_INIT", true], ["S3_MAX_FILE_SIZE", 52428800],
  ["S3_ALLOWED_CONTENT_TYPES", ["image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml", "application/pdf"]],
  ["S3_THUMBNAIL_MAX_SIZE", 256], ["S3_THUMBNAIL_QUALITY", 85],
  ["IMBI_EMAIL_ENABLED", true], ["IMBI_EMAIL_DRY_RUN", false], ["IMBI_EMAIL_SMTP_HOST", "localhost"],
  ["IMBI_EMAIL_SMTP_PORT", 587], ["IMBI_EMAIL_SMTP_USE_TLS", true], ["IMBI_EMAIL_SMTP_USE_SSL", false],
  ["IMBI_EMAIL_SMTP_USERNAME", null], ["IMBI_EMAIL_SMTP_PASSWORD", null], ["IMBI_EMAIL_SMTP_TIMEOUT", 30],
  ["IMBI_EMAIL_FROM_EMAIL", "noreply@imbi.example.com"], ["IMBI_EMAIL_FROM_NAME", "Imbi"], ["IMBI_EMAIL_REPLY_TO", null],
  ["IMBI_EMAIL_MAX_RETRIES", 3], ["IMBI_EMAIL_INITIAL_RETRY_DELAY", 1], ["IMBI_EMAIL_MAX_RETRY_DELAY", 60],
  ["IMBI_EMAIL_RETRY_BACKOFF_FACTOR", 2],
  ["IMBI_AUTH_JWT_ALGORITHM", "HS256"], ["IMBI_AUTH_ACCESS_TOKEN_EXPIRE_SECONDS", 3600],
  ["IMBI_AUTH_REFRESH_TOKEN_EXPIRE_SECONDS", 2592000], ["IMBI_AUTH_PASSWORD_MIN_LENGTH", 12],
  ["IMBI_AUTH_PASSWORD_REQUIRE_UPPERCASE", true], ["IMBI_AUTH_PASSWORD_REQUIRE_LOWERCASE", true],
  ["IMBI_AUTH_PASSWORD_REQUIRE_DIGIT", true], ["IMBI_AUTH_PASSWORD_REQUIRE_SPECIAL", true],
  ["IMBI_AUTH_SESSION_TIMEOUT_SECONDS", 86400], ["IMBI_AUTH_MAX_CONCURRENT_SESSIONS", 5],
  ["IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS", 365], ["IMBI_AUTH_MFA_ISSUER_NAME", "Imbi"],
  ["IMBI_AUTH_MFA_TOTP_PERIOD", 30], ["IMBI_AUTH_MFA_TOTP_DIGITS", 6],
  ["IMBI_AUTH_RATE_LIMIT_LOGIN", "5/minute"], ["IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH", "10/minute"],
  ["IMBI_AUTH_RATE_LIMIT_OAUTH_INIT", "3/minute"], ["IMBI_AUTH_RATE_LIMIT_API_KEY", "100/minute"],
  ["IMBI_AUTH_OAUTH_AUTO_LINK_BY_EMAIL", true], ["IMBI_AUTH_OAUTH_AUTO_CREATE_USERS", true],
  ["IMBI_AUTH_DCR_ENABLED", true], ["IMBI_RELEASES_VERSION_FORMAT", "semver"],
  ["EMBEDDINGS_ENABLED", true], ["EMBEDDINGS_DEFAULT_MODEL", "text"],
  ["EMBEDDINGS_MODELS", { text: { fastembed_id: "BAAI/bge-small-en-v1.5", dimensions: 384 } }],
  ["IMBI_RELOAD_DIRS", []],
  ["IMBI_API_LOG_LEVEL", "info"], // addition (D8)
  ["IMBI_API_UI_DIR", null], // addition (D8)
  ["EMBEDDINGS_CACHE_DIR", null], // addition (D8)
];

describe("seed defaults", () => {
  const rows = effectiveSettings(configSandbox().load(SECRETS));
  const byEnv = new Map(rows.map((r) => [r.env, r]));

  test.each(SEED_DEFAULTS)("%s defaults to %p", (env, expected) => {
    const row = byEnv.get(env);
    expect(row).toBeDefined();
    expect(row!.value).toEqual(expected);
    expect(row!.source).toBe("default");
  });

  test("every declared setting is covered by the seed table above, or by the secrets", () => {
    const covered = new Set([...SEED_DEFAULTS.map(([env]) => env), ...Object.keys(SECRETS)]);
    expect(rows.map((r) => r.env).filter((env) => !covered.has(env))).toEqual([]);
  });
});
