/**
 * Rules that look at more than one setting: consistency checks, the seed's Mailpit
 * auto-config, and the secrets that are generated when missing (refused in production).
 */
import { randomBytes } from "node:crypto";
import type { Settings } from "./settings.ts";
import type { EnvValue, Source } from "./sources.ts";
import { generateFernetKey } from "../lib/fernet.ts";

function crossChecks(s: Settings, problems: string[]): void {
  if (s.postgres.min_pool_size > s.postgres.max_pool_size) {
    problems.push(`POSTGRES_MIN_POOL_SIZE (${s.postgres.min_pool_size}) is larger than POSTGRES_MAX_POOL_SIZE (${s.postgres.max_pool_size})`);
  }
  if (s.email.smtp_use_tls && s.email.smtp_use_ssl) {
    problems.push("IMBI_EMAIL_SMTP_USE_TLS and IMBI_EMAIL_SMTP_USE_SSL are both true; use STARTTLS (port 587) or implicit TLS (port 465), not both");
  }
  if (s.email.initial_retry_delay > s.email.max_retry_delay) {
    problems.push("IMBI_EMAIL_INITIAL_RETRY_DELAY is larger than IMBI_EMAIL_MAX_RETRY_DELAY");
  }
  if (s.auth.access_token_expire_seconds > s.auth.refresh_token_expire_seconds) {
    problems.push("IMBI_AUTH_ACCESS_TOKEN_EXPIRE_SECONDS is longer than IMBI_AUTH_REFRESH_TOKEN_EXPIRE_SECONDS");
  }
  if (!(s.embeddings.default_model in s.embeddings.models)) {
    problems.push(`EMBEDDINGS_DEFAULT_MODEL "${s.embeddings.default_model}" is not a key of EMBEDDINGS_MODELS (${Object.keys(s.embeddings.models).join(", ") || "empty"})`);
  }
}

/**
 * Seed: in development, with smtp_host=localhost and the default port 587, MAILPIT_SMTP_PORT
 * (written by the stack) replaces the port and TLS is turned off unless set explicitly.
 */
function mailpitAutoConfig(s: Settings, sources: Map<string, Source>, env: Map<string, EnvValue>, problems: string[]): void {
  const mailpit = env.get("MAILPIT_SMTP_PORT");
  if (!mailpit || s.server.environment !== "development") return;
  if (s.email.smtp_host !== "localhost" || s.email.smtp_port !== 587) return;
  const port = Number(mailpit.value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`MAILPIT_SMTP_PORT = "${mailpit.value}": expected a port 1-65535 (used by the Mailpit auto-config)`);
    return;
  }
  s.email.smtp_port = port;
  sources.set("email.smtp_port", { kind: "derived", reason: "MAILPIT_SMTP_PORT (Mailpit auto-config)" });
  if (sources.get("email.smtp_use_tls")?.kind === "default") {
    s.email.smtp_use_tls = false;
    sources.set("email.smtp_use_tls", { kind: "derived", reason: "Mailpit auto-config" });
  }
}

const SECRETS = [
  { key: "jwt_secret", env: "IMBI_AUTH_JWT_SECRET", make: () => randomBytes(32).toString("base64url"), hint: "imbi generate-secrets", breaks: "every issued token" },
  { key: "encryption_key", env: "IMBI_AUTH_ENCRYPTION_KEY", make: generateFernetKey, hint: "imbi generate-secrets", breaks: "every stored third-party secret" },
] as const;

function ensureSecrets(s: Settings, sources: Map<string, Source>, problems: string[], warnings: string[]): void {
  for (const secret of SECRETS) {
    if (s.auth[secret.key]) continue;
    if (s.server.environment === "production") {
      problems.push(`${secret.env} is not set; production refuses a generated value. Generate one with \`${secret.hint}\` and set it in the environment`);
      continue;
    }
    (s.auth as Record<string, unknown>)[secret.key] = secret.make();
    sources.set(`auth.${secret.key}`, { kind: "generated", name: secret.env });
    warnings.push(`${secret.env} is not set: generated a random value for this run; a restart invalidates ${secret.breaks}. Set ${secret.env} (\`${secret.hint}\`)`);
  }
}

export function applyDerivedRules(
  settings: Settings, sources: Map<string, Source>, env: Map<string, EnvValue>, problems: string[], warnings: string[],
): void {
  crossChecks(settings, problems);
  mailpitAutoConfig(settings, sources, env, problems);
  ensureSecrets(settings, sources, problems, warnings);
}
