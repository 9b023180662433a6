/** The seed's derived rules: Mailpit auto-config and generated secrets. */
import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config/load.ts";
import { isFernetKey } from "../../src/lib/fernet.ts";
import { configSandbox, SECRETS } from "../helpers/config.ts";

describe("Mailpit auto-config", () => {
  test("development + localhost:587 takes MAILPIT_SMTP_PORT and turns TLS off", () => {
    const { settings, sources } = configSandbox().load({ ...SECRETS, MAILPIT_SMTP_PORT: "1025" });
    expect(settings.email.smtp_port).toBe(1025);
    expect(settings.email.smtp_use_tls).toBe(false);
    expect(sources.get("email.smtp_port")).toEqual({ kind: "derived", reason: "MAILPIT_SMTP_PORT (Mailpit auto-config)" });
  });

  test("an explicit IMBI_EMAIL_SMTP_USE_TLS is kept", () => {
    const { settings } = configSandbox().load({ ...SECRETS, MAILPIT_SMTP_PORT: "1025", IMBI_EMAIL_SMTP_USE_TLS: "true" });
    expect(settings.email.smtp_port).toBe(1025);
    expect(settings.email.smtp_use_tls).toBe(true);
  });

  test.each([
    ["another environment", { ENVIRONMENT: "staging" }],
    ["another host", { IMBI_EMAIL_SMTP_HOST: "smtp.example.com" }],
    ["another port", { IMBI_EMAIL_SMTP_PORT: "2525" }],
  ])("does nothing with %s", (_, env) => {
    const { settings } = configSandbox().load({ ...SECRETS, MAILPIT_SMTP_PORT: "1025", ...env });
    expect(settings.email.smtp_port).not.toBe(1025);
    expect(settings.email.smtp_use_tls).toBe(true);
  });

  test("without MAILPIT_SMTP_PORT nothing changes", () => {
    const { settings } = configSandbox().load(SECRETS);
    expect(settings.email.smtp_port).toBe(587);
    expect(settings.email.smtp_use_tls).toBe(true);
  });
});

describe("secrets", () => {
  test("missing secrets are generated in development, with a warning naming each variable", () => {
    const { settings, warnings, sources } = configSandbox().load({});
    expect(settings.auth.jwt_secret.length).toBeGreaterThanOrEqual(32);
    expect(isFernetKey(settings.auth.encryption_key)).toBe(true);
    expect(warnings.some((w) => w.includes("IMBI_AUTH_JWT_SECRET"))).toBe(true);
    expect(warnings.some((w) => w.includes("IMBI_AUTH_ENCRYPTION_KEY"))).toBe(true);
    expect(sources.get("auth.jwt_secret")).toEqual({ kind: "generated", name: "IMBI_AUTH_JWT_SECRET" });
    expect(configSandbox().load({}).settings.auth.jwt_secret).not.toBe(settings.auth.jwt_secret);
  });

  test("production refuses to start without them, naming both", () => {
    let error: unknown;
    try {
      configSandbox().load({ ENVIRONMENT: "production" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain("IMBI_AUTH_JWT_SECRET is not set");
    expect(problems).toContain("IMBI_AUTH_ENCRYPTION_KEY is not set");
  });

  test("production starts when both are given, without warnings", () => {
    const { warnings } = configSandbox().load({ ENVIRONMENT: "production", ...SECRETS });
    expect(warnings).toEqual([]);
  });
});
