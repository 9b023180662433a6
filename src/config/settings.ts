/**
 * Every setting Imbi reads, declared once: TOML section + key, env var, type, default,
 * range and description. The seed (shared/spec/seed-configuration.md) is the contract for
 * names and defaults; entries marked `addition` are Imbi's own (DECISIONS.md D8).
 */
import { Type, type Static, type TObject } from "@sinclair/typebox";
import { optionalString, parseJson, setting } from "./setting.ts";
import { parseRateLimit } from "../lib/rate-limit-spec.ts";
import { invalidIpEntries } from "../lib/ip.ts";
import { isFernetKey } from "../lib/fernet.ts";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const str = (env: string, def: string, description: string, extra: object = {}) =>
  setting(Type.String({ default: def, description, ...extra }), { env });
const bool = (env: string, def: boolean, description: string) =>
  setting(Type.Boolean({ default: def, description }), { env });
const int = (env: string, def: number, min: number, max: number, description: string) =>
  setting(Type.Integer({ default: def, minimum: min, maximum: max, description }), { env });
const num = (env: string, def: number, min: number, max: number, description: string) =>
  setting(Type.Number({ default: def, minimum: min, maximum: max, description }), { env });

const rateLimit = (env: string, def: string, description: string) =>
  setting(Type.String({ default: def, description }), {
    env,
    expected: 'a rate such as "5/minute", "100/hour" or "10 per second"',
    check: (v: string) => (parseRateLimit(v) ? undefined : "is not a rate limit"),
  });

/** IMBI_API_UI_DIR: a directory (relative to the working directory) holding a built SPA's index.html. */
function uiDirCheck(value: string | null): string | undefined {
  if (value === null) return undefined;
  const dir = resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return "is not an existing directory";
  return existsSync(join(dir, "index.html")) ? undefined : "has no index.html";
}

/** `tcp://10.0.0.5:8000` (Kubernetes service discovery) yields 8000. */
function parsePort(raw: string): unknown {
  const match = /^tcp:\/\/[^/]*:(\d+)\/?$/.exec(raw.trim());
  const text = match ? match[1]! : raw.trim();
  return /^\d+$/.test(text) ? Number(text) : raw;
}

function urlCheck(schemes: string[]) {
  return (value: string | null) => {
    if (value === null || value === "") return undefined;
    try {
      const url = new URL(value);
      return schemes.includes(url.protocol.replace(/:$/, "")) ? undefined : `must use ${schemes.join(" or ")}`;
    } catch {
      return "is not a URL";
    }
  };
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

export const ENVIRONMENTS = ["development", "testing", "staging", "production"] as const;

export const ServerSettings = Type.Object({
  environment: setting(Type.Union(ENVIRONMENTS.map((e) => Type.Literal(e)), {
    default: "development",
    description: "Deployment environment. Unprefixed. Drives Mailpit auto-config and the production secret checks.",
  }), { env: "ENVIRONMENT", expected: ENVIRONMENTS.join(" | ") }),
  host: str("IMBI_API_HOST", "localhost", "Server bind address"),
  port: setting(Type.Integer({
    default: 8000, minimum: 0, maximum: 65535,
    description: "Server bind port; tcp://ip:port is accepted (Kubernetes). 0 picks a free port.",
  }), { env: "IMBI_API_PORT", parse: parsePort, expected: "a port 0-65535 or tcp://ip:port" }),
  cors_allowed_origins: setting(Type.Array(Type.String({ pattern: "^https?://[^/]+$" }), {
    default: [],
    description: "JSON array of allowed CORS origins (credentials allowed); also the trusted hosts for per-request OAuth URLs",
  }), { env: "IMBI_API_CORS_ALLOWED_ORIGINS", expected: 'a JSON array of origins, e.g. ["https://imbi.example.com"]' }),
  forwarded_allow_ips: setting(Type.String({
    default: "",
    description: "Comma-separated trusted proxy IPs or CIDRs (or *) whose X-Forwarded-* headers are honoured; empty disables",
  }), {
    env: "IMBI_API_FORWARDED_ALLOW_IPS",
    expected: "comma-separated IP addresses or CIDRs, or *",
    check: (v: string) => {
      const bad = invalidIpEntries(v);
      return bad.length ? `has invalid entries: ${bad.join(", ")}` : undefined;
    },
  }),
  url: setting(Type.String({
    default: "",
    description: "Public URL of the API including its path prefix (e.g. https://imbi.example.com/api); empty = http://{host}:{port}",
  }), { env: "IMBI_API_URL", expected: "an http(s) URL", check: urlCheck(["http", "https"]) }),
  log_level: setting(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), {
    default: "info", description: "Minimum level of the JSON log lines written to stdout",
  }), { env: "IMBI_API_LOG_LEVEL", addition: true, expected: LOG_LEVELS.join(" | ") }),
  reload_dirs: setting(Type.Array(Type.String(), {
    default: [],
    description: "Extra directories watched by `imbi serve --dev` (OS path-separator separated in the env var)",
  }), { env: "IMBI_RELOAD_DIRS", parse: (raw) => raw.split(process.platform === "win32" ? ";" : ":").filter(Boolean) }),
  ui_dir: setting(optionalString({
    description: "Directory of a built web UI (SPA) served at the root of the origin; unset = API only (docs/deploy.md)",
  }), { env: "IMBI_API_UI_DIR", addition: true, expected: "a directory containing index.html", check: uiDirCheck }),
});

export const PostgresSettings = Type.Object({
  url: setting(Type.String({ default: "postgresql://postgres:secret@localhost:5432/imbi", description: "PostgreSQL DSN" }),
    { env: "POSTGRES_URL", credentialUrl: true, expected: "a postgresql:// URL", check: urlCheck(["postgres", "postgresql"]) }),
  graph_name: setting(Type.String({ default: "imbi", pattern: "^[a-z_][a-z0-9_]{0,62}$", description: "Schema that holds Imbi's tables (the reference's AGE graph name)" }),
    { env: "POSTGRES_GRAPH_NAME", expected: "a lower-case SQL identifier" }),
  min_pool_size: int("POSTGRES_MIN_POOL_SIZE", 2, 0, 1000, "Minimum connection pool size (connections opened at startup)"),
  max_pool_size: int("POSTGRES_MAX_POOL_SIZE", 10, 1, 1000, "Maximum connection pool size"),
});

export const ClickHouseSettings = Type.Object({
  url: setting(Type.String({ default: "clickhouse+http://localhost:8123", description: "ClickHouse DSN; credentials and database in the URL are honoured" }),
    { env: "CLICKHOUSE_URL", credentialUrl: true, expected: "a clickhouse+http(s):// or http(s):// URL",
      check: urlCheck(["clickhouse+http", "clickhouse+https", "http", "https", "clickhouse"]) }),
  connect_timeout: num("CLICKHOUSE_CONNECT_TIMEOUT", 10.0, 0.1, 300, "Connection timeout in seconds"),
  max_connect_attempts: int("CLICKHOUSE_MAX_CONNECT_ATTEMPTS", 10, 1, 100, "Maximum connection attempts on startup"),
});

export const ValkeySettings = Type.Object({
  url: setting(Type.String({ default: "valkey://localhost:6379/0", description: "Valkey DSN (host localhost, port 6379, db 0 by default)" }),
    { env: "VALKEY_URL", credentialUrl: true, expected: "a valkey://, valkeys://, redis:// or rediss:// URL",
      check: urlCheck(["valkey", "valkeys", "redis", "rediss"]) }),
});

export const DEFAULT_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml", "application/pdf"];

export const StorageSettings = Type.Object({
  endpoint_url: setting(optionalString({ description: "S3-compatible endpoint (LocalStack, MinIO); unset = AWS S3" }),
    { env: "S3_ENDPOINT_URL", expected: "an http(s) URL", check: urlCheck(["http", "https"]) }),
  access_key: setting(optionalString({ description: "Access key ID; unset = the default AWS credential chain" }), { env: "S3_ACCESS_KEY" }),
  secret_key: setting(optionalString({ description: "Secret access key" }), { env: "S3_SECRET_KEY", secret: true }),
  bucket: setting(Type.String({ default: "imbi-uploads", pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description: "Bucket name" }),
    { env: "S3_BUCKET", expected: "an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)" }),
  region: str("S3_REGION", "us-east-1", "AWS region"),
  create_bucket_on_init: bool("S3_CREATE_BUCKET_ON_INIT", true, "Create the bucket at startup if it does not exist"),
  max_file_size: int("S3_MAX_FILE_SIZE", 52428800, 1, 5 * 1024 ** 3, "Upload size limit in bytes"),
  allowed_content_types: setting(Type.Array(Type.String({ pattern: "^[a-z]+/[a-z0-9.+-]+$" }), {
    default: DEFAULT_CONTENT_TYPES, description: "JSON array of MIME types accepted for upload",
  }), { env: "S3_ALLOWED_CONTENT_TYPES", expected: 'a JSON array of MIME types, e.g. ["image/png"]' }),
  thumbnail_max_size: int("S3_THUMBNAIL_MAX_SIZE", 256, 16, 4096, "Max thumbnail dimension in pixels (aspect ratio preserved)"),
  thumbnail_quality: int("S3_THUMBNAIL_QUALITY", 85, 0, 100, "WEBP quality for generated thumbnails (0-100)"),
});

export const EmailSettings = Type.Object({
  enabled: bool("IMBI_EMAIL_ENABLED", true, "Master switch; disable to no-op all sends"),
  dry_run: bool("IMBI_EMAIL_DRY_RUN", false, "Build and log messages without sending"),
  smtp_host: str("IMBI_EMAIL_SMTP_HOST", "localhost", "SMTP server host"),
  smtp_port: int("IMBI_EMAIL_SMTP_PORT", 587, 1, 65535, "SMTP server port"),
  smtp_use_tls: bool("IMBI_EMAIL_SMTP_USE_TLS", true, "Use STARTTLS"),
  smtp_use_ssl: bool("IMBI_EMAIL_SMTP_USE_SSL", false, "Use implicit TLS (SMTPS, typically port 465)"),
  smtp_username: setting(optionalString({ description: "SMTP auth username" }), { env: "IMBI_EMAIL_SMTP_USERNAME" }),
  smtp_password: setting(optionalString({ description: "SMTP auth password" }), { env: "IMBI_EMAIL_SMTP_PASSWORD", secret: true }),
  smtp_timeout: num("IMBI_EMAIL_SMTP_TIMEOUT", 30, 0.1, 600, "SMTP socket timeout in seconds"),
  from_email: setting(Type.String({ default: "noreply@imbi.example.com", pattern: "^[^\\s@]+@[^\\s@]+$", description: "From address" }),
    { env: "IMBI_EMAIL_FROM_EMAIL", expected: "an email address" }),
  from_name: str("IMBI_EMAIL_FROM_NAME", "Imbi", "From display name"),
  reply_to: setting(Type.Union([Type.String({ pattern: "^[^\\s@]+@[^\\s@]+$" }), Type.Null()], { default: null, description: "Optional Reply-To address" }),
    { env: "IMBI_EMAIL_REPLY_TO", expected: "an email address", parse: (raw) => (raw === "" ? null : raw) }),
  max_retries: int("IMBI_EMAIL_MAX_RETRIES", 3, 0, 20, "Send retry attempts"),
  initial_retry_delay: num("IMBI_EMAIL_INITIAL_RETRY_DELAY", 1.0, 0, 3600, "First retry delay in seconds"),
  max_retry_delay: num("IMBI_EMAIL_MAX_RETRY_DELAY", 60.0, 0, 86400, "Maximum backoff delay in seconds"),
  retry_backoff_factor: num("IMBI_EMAIL_RETRY_BACKOFF_FACTOR", 2.0, 1, 10, "Exponential backoff multiplier"),
});

export const JWT_ALGORITHMS = ["HS256", "HS384", "HS512"] as const;

export const AuthSettings = Type.Object({
  jwt_secret: setting(Type.Union([Type.String({ minLength: 32 }), Type.Null()], {
    default: null, description: "Secret that signs JWTs (at least 32 characters); generated at startup when unset, except in production",
  }), { env: "IMBI_AUTH_JWT_SECRET", secret: true, expected: "at least 32 characters", parse: (raw) => (raw === "" ? null : raw) }),
  jwt_algorithm: setting(Type.Union(JWT_ALGORITHMS.map((a) => Type.Literal(a)), { default: "HS256", description: "JWT signing algorithm" }),
    { env: "IMBI_AUTH_JWT_ALGORITHM", expected: JWT_ALGORITHMS.join(" | ") }),
  access_token_expire_seconds: int("IMBI_AUTH_ACCESS_TOKEN_EXPIRE_SECONDS", 3600, 60, 86400, "Access token lifetime"),
  refresh_token_expire_seconds: int("IMBI_AUTH_REFRESH_TOKEN_EXPIRE_SECONDS", 2592000, 300, 31536000, "Refresh token lifetime; rotated on every use"),
  encryption_key: setting(Type.Union([Type.String(), Type.Null()], {
    default: null, description: "Fernet key (url-safe base64 of 32 bytes) encrypting third-party secrets; generated when unset, except in production",
  }), { env: "IMBI_AUTH_ENCRYPTION_KEY", secret: true, expected: "a Fernet key (url-safe base64 of 32 bytes)",
    parse: (raw) => (raw === "" ? null : raw),
    check: (v: string | null) => (v === null || isFernetKey(v) ? undefined : "is not a Fernet key") }),
  password_min_length: int("IMBI_AUTH_PASSWORD_MIN_LENGTH", 12, 8, 256, "Minimum password length"),
  password_require_uppercase: bool("IMBI_AUTH_PASSWORD_REQUIRE_UPPERCASE", true, "Require an uppercase letter"),
  password_require_lowercase: bool("IMBI_AUTH_PASSWORD_REQUIRE_LOWERCASE", true, "Require a lowercase letter"),
  password_require_digit: bool("IMBI_AUTH_PASSWORD_REQUIRE_DIGIT", true, "Require a digit"),
  password_require_special: bool("IMBI_AUTH_PASSWORD_REQUIRE_SPECIAL", true, "Require a special character"),
  session_timeout_seconds: int("IMBI_AUTH_SESSION_TIMEOUT_SECONDS", 86400, 60, 31536000, "Idle session timeout"),
  max_concurrent_sessions: int("IMBI_AUTH_MAX_CONCURRENT_SESSIONS", 5, 1, 1000, "Max concurrent sessions per user; the oldest is evicted past it"),
  api_key_max_lifetime_days: int("IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS", 365, 1, 3650, "Maximum API key lifetime (also the default)"),
  mfa_issuer_name: str("IMBI_AUTH_MFA_ISSUER_NAME", "Imbi", "Issuer shown in authenticator apps", { minLength: 1 }),
  mfa_totp_period: int("IMBI_AUTH_MFA_TOTP_PERIOD", 30, 10, 300, "TOTP time step in seconds"),
  mfa_totp_digits: int("IMBI_AUTH_MFA_TOTP_DIGITS", 6, 6, 8, "TOTP code length"),
  rate_limit_login: rateLimit("IMBI_AUTH_RATE_LIMIT_LOGIN", "5/minute", "Password login attempts"),
  rate_limit_token_refresh: rateLimit("IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH", "10/minute", "Refresh-token exchanges"),
  rate_limit_oauth_init: rateLimit("IMBI_AUTH_RATE_LIMIT_OAUTH_INIT", "3/minute", "OAuth authorization-flow initiations"),
  rate_limit_api_key: rateLimit("IMBI_AUTH_RATE_LIMIT_API_KEY", "100/minute", "API-key-authenticated requests, per key"),
  oauth_auto_link_by_email: bool("IMBI_AUTH_OAUTH_AUTO_LINK_BY_EMAIL", true, "Link an OAuth identity to the local user with the same email"),
  oauth_auto_create_users: bool("IMBI_AUTH_OAUTH_AUTO_CREATE_USERS", true, "Create a user on first OAuth login"),
  dcr_enabled: bool("IMBI_AUTH_DCR_ENABLED", true, "Allow RFC 7591 dynamic client registration at /auth/register"),
});

export const VERSION_FORMATS = ["semver", "commitish"] as const;

export const ReleasesSettings = Type.Object({
  version_format: setting(Type.Union(VERSION_FORMATS.map((f) => Type.Literal(f)), {
    default: "semver", description: "Version format enforced on Release.version",
  }), { env: "IMBI_RELEASES_VERSION_FORMAT", expected: VERSION_FORMATS.join(" | ") }),
});

const EmbeddingModel = Type.Object({
  fastembed_id: Type.String({ minLength: 1 }),
  dimensions: Type.Integer({ minimum: 1, maximum: 16000 }),
}, { additionalProperties: false });

export const EmbeddingsSettings = Type.Object({
  enabled: bool("EMBEDDINGS_ENABLED", true, "Master switch for embedding generation"),
  default_model: str("EMBEDDINGS_DEFAULT_MODEL", "text", "Key into EMBEDDINGS_MODELS used by default"),
  models: setting(Type.Record(Type.String({ minLength: 1 }), EmbeddingModel, {
    default: { text: { fastembed_id: "BAAI/bge-small-en-v1.5", dimensions: 384 } },
    description: "JSON map of model key to {fastembed_id, dimensions}",
  }), { env: "EMBEDDINGS_MODELS", parse: parseJson, expected: 'a JSON object such as {"text": {"fastembed_id": "BAAI/bge-small-en-v1.5", "dimensions": 384}}' }),
  cache_dir: setting(optionalString({
    description: "Directory of embedding model files (<owner>--<name>/model.onnx + vocab.txt); a missing model is downloaded there from the Hugging Face hub unless HF_HUB_OFFLINE is set. Unset = $XDG_CACHE_HOME/imbi/models",
  }), { env: "EMBEDDINGS_CACHE_DIR", addition: true, expected: "a directory path" }),
});

/** TOML section name → its declarations, in the order `imbi config` prints them. */
export const SECTIONS = {
  server: ServerSettings,
  postgres: PostgresSettings,
  clickhouse: ClickHouseSettings,
  valkey: ValkeySettings,
  storage: StorageSettings,
  email: EmailSettings,
  auth: AuthSettings,
  releases: ReleasesSettings,
  embeddings: EmbeddingsSettings,
} satisfies Record<string, TObject>;

export type SectionName = keyof typeof SECTIONS;

export interface Settings {
  server: Static<typeof ServerSettings>;
  postgres: Static<typeof PostgresSettings>;
  clickhouse: Static<typeof ClickHouseSettings>;
  valkey: Static<typeof ValkeySettings>;
  storage: Static<typeof StorageSettings>;
  email: Static<typeof EmailSettings>;
  /** After loading, both secrets are always present (given or generated). */
  auth: Static<typeof AuthSettings> & { jwt_secret: string; encryption_key: string };
  releases: Static<typeof ReleasesSettings>;
  embeddings: Static<typeof EmbeddingsSettings>;
}
