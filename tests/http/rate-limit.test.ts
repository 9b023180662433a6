/**
 * Rate limiting (reference-auth §9, D2/D3): fixed windows counted in Valkey, shared by every
 * replica; keyed by route + real client IP, or by API key; 429 `{"detail"}` with
 * Retry-After and RateLimit-* headers; per-process fallback while Valkey is down.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia, t as types } from "elysia";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { startReplica } from "../helpers/replica.ts";
import { startTcpProxy } from "../helpers/tcp-proxy.ts";
import { bearer, createUser, json, login } from "../helpers/identity.ts";
import type { DomainEvent } from "../../src/infra/events.ts";
import { errorHandler } from "../../src/http/errors.ts";
import { newApiKeyId, newSecret } from "../../src/lib/ids.ts";
import { hashSecret } from "../../src/lib/secrets.ts";

const ENFORCED = { rateLimits: "enforced" } as const;
const badLogin = () => json({ email: "nobody@example.com", password: "wrong-password" });
/** Answered at once (no password hashing), so a 1-second window is not outlived by slow requests. */
const badRefresh = () => json({ refresh_token: "not-a-refresh-token" });

function recordEvents(t: { ctx: { events: { subscribe(h: (e: DomainEvent) => void): void } } }): DomainEvent[] {
  const seen: DomainEvent[] = [];
  t.ctx.events.subscribe((event) => seen.push(event));
  return seen;
}

async function apiKeyFor(t: TestApp, userId: string): Promise<string> {
  const keyId = newApiKeyId();
  const secret = newSecret();
  await t.infra.sql`insert into api_keys (key_id, secret_hash, user_id, name, scopes, expires_at)
    values (${keyId}, ${hashSecret(secret)}, ${userId}, 'rate-limit test', '{}', ${new Date(Date.now() + 86_400_000)})`;
  return `${keyId}_${secret}`;
}

describe("POST /auth/token/refresh limited to 2/second", () => {
  let t: TestApp;
  let events: DomainEvent[];
  beforeAll(async () => {
    t = await startTestApp({ IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH: "2/second" }, undefined, ENFORCED);
    events = recordEvents(t);
  });
  afterAll(() => t.close());

  test("within the limit: the route answers, with RateLimit-* headers", async () => {
    const first = await t.req("/auth/token/refresh", badRefresh());
    expect(first.status).toBe(401);
    expect(first.headers.get("ratelimit-limit")).toBe("2");
    expect(first.headers.get("ratelimit-remaining")).toBe("1");
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(0);
    expect(first.headers.get("ratelimit-policy")).toBe("2;w=1");
    const second = await t.req("/auth/token/refresh", badRefresh());
    expect(second.status).toBe(401);
    expect(second.headers.get("ratelimit-remaining")).toBe("0");
  });

  test("past it: 429 {detail} with Retry-After and RateLimit-*, one rate_limit.exceeded event; then the window resets", async () => {
    for (let i = 0; i < 3; i++) {
      const refused = await t.req("/auth/token/refresh", badRefresh());
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({ detail: "Rate limit exceeded: 2 per 1 second" });
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("ratelimit-limit")).toBe("2");
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect(refused.headers.get("content-type")).toContain("application/json");
    }
    const exceeded = events.filter((e) => e.type === "rate_limit.exceeded");
    expect(exceeded).toHaveLength(1); // the first refusal of the window, not every one
    expect(exceeded[0]).toMatchObject({ outcome: "failure", actor_type: "anonymous", detail: { limit: "token_refresh", rate: "2/second", key: "ip" } });

    await Bun.sleep(1100);
    const again = await t.req("/auth/token/refresh", badRefresh());
    expect(again.status).toBe(401);
    expect(again.headers.get("ratelimit-remaining")).toBe("1");
  });

  test("routes without a limit carry no RateLimit headers", async () => {
    const response = await t.req("/auth/providers");
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit-limit")).toBeNull();
  });

  test("two replicas share one counter (same installation, same Valkey)", async () => {
    await Bun.sleep(1100);
    const replica = await startReplica(t);
    try {
      expect((await t.req("/auth/token/refresh", badRefresh())).status).toBe(401);
      expect((await replica.req("/auth/token/refresh", badRefresh())).status).toBe(401);
      expect((await replica.req("/auth/token/refresh", badRefresh())).status).toBe(429);
      expect((await t.req("/auth/token/refresh", badRefresh())).status).toBe(429);
    } finally {
      await replica.close();
    }
  });

  test("another installation on the same Valkey keeps its own counters", async () => {
    await Bun.sleep(1100);
    const other = await startTestApp({ IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH: "2/second" }, undefined, ENFORCED);
    try {
      for (let i = 0; i < 2; i++) expect((await t.req("/auth/token/refresh", badRefresh())).status).toBe(401);
      expect((await t.req("/auth/token/refresh", badRefresh())).status).toBe(429);
      expect((await other.req("/auth/token/refresh", badRefresh())).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("keyed by the real client IP (socket, trusted X-Forwarded-For)", () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_AUTH_RATE_LIMIT_LOGIN: "2/minute", IMBI_API_FORWARDED_ALLOW_IPS: "127.0.0.1" }, undefined, ENFORCED);
    base = t.listen();
  });
  afterAll(() => t.close());

  const attempt = (forwardedFor: string) =>
    fetch(`${base}/auth/login`, { ...badLogin(), headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor } });

  test("each client has its own window; a spoofed left-most entry does not escape it", async () => {
    expect((await attempt("203.0.113.10")).status).toBe(401);
    expect((await attempt("203.0.113.10")).status).toBe(401);
    const refused = await attempt("203.0.113.10");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ detail: "Rate limit exceeded: 2 per 1 minute" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(50);
    expect((await attempt("198.51.100.1, 203.0.113.10")).status).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await attempt("203.0.113.11")).status).toBe(401);
  });

  test("the event carries the client IP", async () => {
    const events = recordEvents(t);
    await attempt("203.0.113.20");
    await attempt("203.0.113.20");
    expect((await attempt("203.0.113.20")).status).toBe(429);
    expect(events.find((e) => e.type === "rate_limit.exceeded")).toMatchObject({ ip: "203.0.113.20", detail: { path: "/auth/login" } });
  });
});

describe("the reference's fixed limits: POST /auth/logout 30/minute, POST /mfa/verify 5/minute", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, undefined, ENFORCED);
  });
  afterAll(() => t.close());

  test("POST /mfa/verify: the 6th attempt in a minute is refused (checked before authentication)", async () => {
    const user = await createUser(t);
    const { access_token } = await login(t, user);
    for (let i = 0; i < 5; i++) {
      expect((await t.req("/mfa/verify", json({ code: "123456" }, bearer(access_token)))).status).toBe(404);
    }
    const refused = await t.req("/mfa/verify", json({ code: "123456" }, bearer(access_token)));
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ detail: "Rate limit exceeded: 5 per 1 minute" });
    expect((await t.req("/mfa/verify", json({ code: "123456" }))).status).toBe(429);
  });

  test("POST /auth/logout: the 31st request in a minute is refused", async () => {
    for (let i = 0; i < 30; i++) expect((await t.req("/auth/logout", { method: "POST" })).status).toBe(401);
    const refused = await t.req("/auth/logout", { method: "POST" });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ detail: "Rate limit exceeded: 30 per 1 minute" });
  });
});

describe("API-key requests are limited per key", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_AUTH_RATE_LIMIT_API_KEY: "3/minute" }, undefined, ENFORCED);
  });
  afterAll(() => t.close());

  test("each key has its own window; headers on every response; the event names the key's owner", async () => {
    const user = await createUser(t);
    const [keyA, keyB] = [await apiKeyFor(t, user.id), await apiKeyFor(t, user.id)];
    const events = recordEvents(t);
    for (const remaining of ["2", "1", "0"]) {
      const response = await t.req("/mfa/status", { headers: bearer(keyA) });
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBe("3");
      expect(response.headers.get("ratelimit-remaining")).toBe(remaining);
    }
    const refused = await t.req("/mfa/status", { headers: bearer(keyA) });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ detail: "Rate limit exceeded: 3 per 1 minute" });
    expect(refused.headers.get("retry-after")).not.toBeNull();
    // Same client IP, different key: not limited.
    expect((await t.req("/mfa/status", { headers: bearer(keyB) })).status).toBe(200);
    await Bun.sleep(20); // the event is emitted after the response
    const exceeded = events.filter((e) => e.type === "rate_limit.exceeded");
    expect(exceeded).toHaveLength(1);
    expect(exceeded[0]).toMatchObject({
      actor_type: "user", actor_id: user.id, actor_name: user.email,
      detail: { limit: "api_key", key: "api_key", api_key_id: keyA.slice(0, 35) },
    });
  });

  test("JWT requests are not counted against any key", async () => {
    const user = await createUser(t);
    const { access_token } = await login(t, user);
    for (let i = 0; i < 5; i++) {
      const response = await t.req("/mfa/status", { headers: bearer(access_token) });
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});

describe("the rateLimit route option", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_AUTH_RATE_LIMIT_OAUTH_INIT: "1/minute", IMBI_AUTH_RATE_LIMIT_TOKEN_REFRESH: "1/minute" }, undefined, ENFORCED);
  });
  afterAll(() => t.close());

  const probe = () => new Elysia().use(errorHandler(t.ctx.logger)).use(t.ctx.auth);

  test("listed before auth, it counts unauthenticated attempts", async () => {
    const app = probe().get("/probe", () => "ok", { rateLimit: "oauth_init", auth: true });
    expect((await app.handle(new Request("http://localhost/probe"))).status).toBe(401);
    expect((await app.handle(new Request("http://localhost/probe"))).status).toBe(429);
  });

  test("it precedes body validation: malformed attempts count", async () => {
    const app = probe().post("/probe", () => "ok", { rateLimit: "token_refresh", body: types.Object({ n: types.Number() }) });
    expect((await app.handle(new Request("http://localhost/probe", json({ n: "not a number" })))).status).toBe(422);
    expect((await app.handle(new Request("http://localhost/probe", json({ n: 1 })))).status).toBe(429);
  });
});

describe("Valkey unavailable", () => {
  let t: TestApp;
  let proxy: ReturnType<typeof startTcpProxy>;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_AUTH_RATE_LIMIT_LOGIN: "2/minute" }, (env) => {
      const url = new URL(env.VALKEY_URL!);
      proxy = startTcpProxy(url.hostname, Number(url.port));
      url.host = `127.0.0.1:${proxy.port}`;
      return { ...env, VALKEY_URL: url.toString() };
    }, ENFORCED);
  });
  afterAll(() => t.close());

  test("limits still apply, counted in this process, and the fallback is logged once", async () => {
    expect((await t.req("/auth/login", badLogin())).status).toBe(401); // counted in Valkey
    proxy.cut();
    for (let i = 0; i < 50 && t.infra.valkey.status === "ready"; i++) await Bun.sleep(20);
    expect(t.infra.valkey.status).not.toBe("ready");
    const started = performance.now();
    expect((await t.req("/auth/login", badLogin())).status).toBe(401);
    expect((await t.req("/auth/login", badLogin())).status).toBe(401);
    const refused = await t.req("/auth/login", badLogin());
    expect(refused.status).toBe(429); // neither open nor closed: a per-process window
    expect(refused.headers.get("ratelimit-limit")).toBe("2");
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await t.req("/auth/login", badLogin())).status).toBe(429);
    const fallbacks = t.logs.filter((l) => String(l.msg).startsWith("Valkey unavailable: rate limits"));
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]!.level).toBe("warn");
  });
});
