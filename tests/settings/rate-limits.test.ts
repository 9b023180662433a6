/**
 * IMBI_AUTH_RATE_LIMIT_LOGIN, _TOKEN_REFRESH, _OAUTH_INIT and _API_KEY (seed-configuration,
 * D3): each changes what is refused. Two installations: one on the defaults, one configured.
 * The OAuth flow start has no route yet; its limit is checked through the exported limiter
 * and the `rateLimit: "oauth_init"` route option it will use.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bearer, createUser, json } from "../helpers/identity.ts";
import { errorHandler } from "../../src/http/errors.ts";
import { newApiKeyId, newSecret } from "../../src/lib/ids.ts";
import { hashSecret } from "../../src/lib/secrets.ts";

const CONFIGURED = {
  IMBI_AUTH_RATE_LIMIT_LOGIN: "3/hour",
  IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH: "1/minute",
  IMBI_AUTH_RATE_LIMIT_OAUTH_INIT: "2 per 30 seconds",
  IMBI_AUTH_RATE_LIMIT_API_KEY: "2/minute",
};

let defaults: TestApp;
let configured: TestApp;
beforeAll(async () => {
  [defaults, configured] = await Promise.all([
    startTestApp({}, undefined, { rateLimits: "enforced" }),
    startTestApp(CONFIGURED, undefined, { rateLimits: "enforced" }),
  ]);
});
afterAll(() => Promise.all([defaults.close(), configured.close()]));

/** Sends `send()` until the first 429; returns how many were let through, and the refusal. */
async function allowedBeforeRefusal(send: () => Promise<Response>, max = 200): Promise<{ allowed: number; refusal: Response }> {
  for (let allowed = 0; allowed <= max; allowed++) {
    const response = await send();
    if (response.status === 429) return { allowed, refusal: response };
  }
  throw new Error(`no 429 after ${max + 1} requests`);
}

const detailOf = async (response: Response) => ((await response.json()) as { detail: string }).detail;

async function apiKeyFor(t: TestApp): Promise<string> {
  const user = await createUser(t);
  const keyId = newApiKeyId();
  const secret = newSecret();
  await t.infra.sql`insert into api_keys (key_id, secret_hash, user_id, name, scopes, expires_at)
    values (${keyId}, ${hashSecret(secret)}, ${user.id}, 'settings test', '{}', ${new Date(Date.now() + 86_400_000)})`;
  return `${keyId}_${secret}`;
}

describe("IMBI_AUTH_RATE_LIMIT_LOGIN", () => {
  const attempt = (t: TestApp) => () => t.req("/auth/login", json({ email: "nobody@example.com", password: "wrong" }));

  test("default 5/minute", async () => {
    const { allowed, refusal } = await allowedBeforeRefusal(attempt(defaults));
    expect(allowed).toBe(5);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 5 per 1 minute");
  });

  test("3/hour: the 4th attempt is refused for up to an hour", async () => {
    const { allowed, refusal } = await allowedBeforeRefusal(attempt(configured));
    expect(allowed).toBe(3);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 3 per 1 hour");
    expect(Number(refusal.headers.get("retry-after"))).toBeGreaterThan(3000);
  });
});

describe("IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH", () => {
  const attempt = (t: TestApp) => () => t.req("/auth/token/refresh", json({ refresh_token: "not-a-token" }));

  test("default 10/minute", async () => {
    const { allowed, refusal } = await allowedBeforeRefusal(attempt(defaults));
    expect(allowed).toBe(10);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 10 per 1 minute");
  });

  test("1/minute: the 2nd exchange is refused", async () => {
    const { allowed, refusal } = await allowedBeforeRefusal(attempt(configured));
    expect(allowed).toBe(1);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 1 per 1 minute");
  });
});

describe("IMBI_AUTH_RATE_LIMIT_OAUTH_INIT", () => {
  test("default 3/minute, through the exported limiter", async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await defaults.ctx.rateLimits.check("oauth_init", "ip:192.0.2.1")).result.allowed);
    expect(results).toEqual([true, true, true, false]);
    expect(defaults.ctx.rateLimits.limits.oauth_init).toMatchObject({ limit: 3, windowSeconds: 60 });
  });

  test('"2 per 30 seconds": the 3rd start is refused, through the route option the OAuth route will use', async () => {
    expect(configured.ctx.rateLimits.limits.oauth_init).toMatchObject({ limit: 2, windowSeconds: 30 });
    const start = new Elysia().use(errorHandler(configured.ctx.logger)).use(configured.ctx.auth)
      .get("/auth/oauth/:provider", () => "redirect", { rateLimit: "oauth_init" });
    const { allowed, refusal } = await allowedBeforeRefusal(() => start.handle(new Request("http://localhost/auth/oauth/google")));
    expect(allowed).toBe(2);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 2 per 30 second");
    expect(Number(refusal.headers.get("retry-after"))).toBeLessThanOrEqual(30);
  });
});

describe("IMBI_AUTH_RATE_LIMIT_API_KEY", () => {
  test("default 100/minute per key", async () => {
    const key = await apiKeyFor(defaults);
    const { allowed, refusal } = await allowedBeforeRefusal(() => defaults.req("/mfa/status", { headers: bearer(key) }));
    expect(allowed).toBe(100);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 100 per 1 minute");
  });

  test("2/minute: the 3rd request with the same key is refused", async () => {
    const key = await apiKeyFor(configured);
    const { allowed, refusal } = await allowedBeforeRefusal(() => configured.req("/mfa/status", { headers: bearer(key) }));
    expect(allowed).toBe(2);
    expect(await detailOf(refusal)).toBe("Rate limit exceeded: 2 per 1 minute");
  });
});
