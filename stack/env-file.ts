// Writes the stack's connection settings into a .env file without clobbering it:
// unrelated lines (and comments) stay where they are, stack-managed keys are
// replaced in place or appended, and the two app secrets are generated only once.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { StackState } from "./state.ts";

/** Keys whose existing non-empty value is kept: rotating them would log users out / orphan encrypted data. */
const SECRET_KEYS = ["IMBI_AUTH_JWT_SECRET", "IMBI_AUTH_ENCRYPTION_KEY"] as const;
const HEADER = "# --- service stack (written by bun stack/up.ts or stack/compose-env.sh) ---";

function generateSecret(key: (typeof SECRET_KEYS)[number]): string {
  const bytes = randomBytes(32);
  // JWT secret: base64url without padding. Encryption key: a Fernet key, i.e.
  // urlsafe base64 of 32 bytes WITH padding (44 characters).
  if (key === "IMBI_AUTH_JWT_SECRET") return bytes.toString("base64url");
  return bytes.toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

/** KEY of a `KEY=value` / `export KEY=value` line, or null for comments and blanks. */
function keyOf(line: string): string | null {
  const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
  return match ? match[1]! : null;
}

function existingValue(lines: string[], key: string): string {
  const line = lines.find((l) => keyOf(l) === key);
  if (line === undefined) return "";
  return line.slice(line.indexOf("=") + 1).trim().replace(/^(["'])(.*)\1$/, "$2");
}

/**
 * Merges `values` into the env file at `path` (created if missing) and returns
 * the keys written. Values must not need quoting (URLs, numbers, base64url).
 */
export function mergeEnvFile(path: string, values: Record<string, string>): string[] {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  if (lines.at(-1) === "") lines.pop();

  const wanted: Record<string, string> = { ...values };
  // Existing secret lines are left exactly as they are; missing or empty ones are generated.
  for (const key of SECRET_KEYS) if (!existingValue(lines, key)) wanted[key] = generateSecret(key);

  const done = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const key = keyOf(line);
    if (key === null || !(key in wanted)) {
      out.push(line);
    } else if (!done.has(key)) {
      // Replace in place (first occurrence); drop later duplicates.
      out.push(`${key}=${wanted[key]}`);
      done.add(key);
    }
  }
  const missing = Object.keys(wanted).filter((k) => !done.has(k));
  if (missing.length > 0 && !out.includes(HEADER)) {
    if (out.length > 0 && out.at(-1) !== "") out.push("");
    out.push(HEADER);
  }
  for (const key of missing) out.push(`${key}=${wanted[key]}`);

  writeFileSync(`${path}.tmp`, `${out.join("\n")}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return Object.keys(wanted);
}

export interface Endpoints {
  postgres: { user: string; password: string; database: string; port: number };
  clickhouse: { user: string; password: string; database: string; port: number };
  valkeyPort: number;
  s3: { accessKey: string; secretKey: string; bucket: string; region: string; port: number };
  smtpPort: number;
  mailpitHttpPort: number;
}

/** The stack-managed keys; one definition for the native stack and compose. */
export function serviceEnv({ postgres: pg, clickhouse: ch, valkeyPort, s3, smtpPort, mailpitHttpPort }: Endpoints) {
  return {
    ENVIRONMENT: "development",
    POSTGRES_URL: `postgresql://${pg.user}:${pg.password}@127.0.0.1:${pg.port}/${pg.database}`,
    CLICKHOUSE_URL: `clickhouse+http://${ch.user}:${ch.password}@127.0.0.1:${ch.port}/${ch.database}`,
    VALKEY_URL: `valkey://127.0.0.1:${valkeyPort}/0`,
    S3_ENDPOINT_URL: `http://127.0.0.1:${s3.port}`,
    S3_ACCESS_KEY: s3.accessKey,
    S3_SECRET_KEY: s3.secretKey,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    MAILPIT_SMTP_PORT: String(smtpPort),
    MAILPIT_HTTP_URL: `http://127.0.0.1:${mailpitHttpPort}`,
  };
}

/** The keys for a native stack recorded in state.json. */
export function stackEnv(state: StackState): Record<string, string> {
  const port = (service: keyof StackState["services"], name: string) => {
    const value = state.services[service]?.ports[name];
    if (value === undefined) throw new Error(`state.json has no ${service} ${name} port`);
    return value;
  };
  return serviceEnv({
    postgres: { ...state.postgres, port: port("postgres", "tcp") },
    clickhouse: { ...state.clickhouse, port: port("clickhouse", "http") },
    valkeyPort: port("valkey", "tcp"),
    s3: { ...state.s3, port: port("s3", "http") },
    smtpPort: port("smtp", "smtp"),
    mailpitHttpPort: port("smtp", "http"),
  });
}
