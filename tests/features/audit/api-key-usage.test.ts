/** API-key usage metrics: one `api_key_usage` row per API-key-authenticated request. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { Elysia } from "elysia";
import { bearer, createUser, json, type TestUser } from "../../helpers/identity.ts";
import { errorHandler, NotFoundError } from "../../../src/http/errors.ts";
import { newApiKeyId, newSecret } from "../../../src/lib/ids.ts";
import { hashSecret } from "../../../src/lib/secrets.ts";

interface UsageRow {
  key_id: string;
  owner_type: string;
  owner_id: string;
  owner_name: string;
  method: string;
  route: string;
  status: number;
  latency_ms: number;
  ip: string;
  request_id: string;
  at: string;
}

let t: TestApp;
let user: TestUser;
let keyId: string;
let key: string;

beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: "http://localhost/api", IMBI_AUTH_RATE_LIMIT_API_KEY: "3/minute" });
  user = await createUser(t);
  keyId = newApiKeyId();
  const secret = newSecret();
  await t.infra.sql`insert into api_keys (key_id, secret_hash, user_id, name, scopes, expires_at)
    values (${keyId}, ${hashSecret(secret)}, ${user.id}, 'usage test', '{}', ${new Date(Date.now() + 86_400_000)})`;
  key = `${keyId}_${secret}`;
});
afterAll(() => t.close());

async function usageRows(): Promise<UsageRow[]> {
  await Bun.sleep(20); // rows are written after the response
  await t.ctx.analytics.flush();
  const result = await t.infra.clickhouse.query({ query: "SELECT * EXCEPT at, toString(at) AS at FROM api_key_usage ORDER BY at", format: "JSONEachRow" });
  return result.json<UsageRow>();
}

describe("api_key_usage", () => {
  test("a request with an API key → one row: key, owner, method, route template, status, latency", async () => {
    const response = await t.req("/api/mfa/status", { headers: { ...bearer(key), "x-request-id": "usage-1" } });
    expect(response.status).toBe(200);
    const rows = await usageRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key_id: keyId, owner_type: "user", owner_id: user.id, owner_name: user.email,
      method: "GET", route: "/api/mfa/status", status: 200, request_id: "usage-1",
    });
    expect(rows[0]!.latency_ms).toBeGreaterThan(0);
    expect(rows[0]!.latency_ms).toBeLessThan(10_000);
  });

  test("the route is the template, not the path; error statuses are recorded", async () => {
    // Any route behind ctx.auth is covered; this one has a path parameter and answers 404.
    const things = new Elysia().use(errorHandler(t.ctx.logger)).use(t.ctx.auth)
      .delete("/things/:id", ({ params }) => { throw new NotFoundError(`No thing ${params.id}`); }, { auth: true });
    const response = await things.handle(new Request("http://localhost/things/abc123", { method: "DELETE", headers: bearer(key) }));
    expect(response.status).toBe(404);
    const rows = await usageRows();
    expect(rows.at(-1)).toMatchObject({ method: "DELETE", route: "/things/:id", status: 404 });
  });

  test("a request refused by the per-key limit is recorded with its 429", async () => {
    // Two requests used so far in this window; the limit is 3.
    expect((await t.req("/api/mfa/status", { headers: bearer(key) })).status).toBe(200);
    expect((await t.req("/api/mfa/status", { headers: bearer(key) })).status).toBe(429);
    const rows = await usageRows();
    expect(rows.map((r) => r.status)).toEqual([200, 404, 200, 429]);
  });

  test("JWT and anonymous requests are not recorded", async () => {
    const tokens = await t.req("/api/auth/login", json({ email: user.email, password: user.password }));
    const { access_token } = (await tokens.json()) as { access_token: string };
    expect((await t.req("/api/mfa/status", { headers: bearer(access_token) })).status).toBe(200);
    expect((await t.req("/api/mfa/status")).status).toBe(401);
    expect((await t.req("/api/mfa/status", { headers: bearer(`${keyId}_wrong-secret-wrong-secret`) })).status).toBe(401);
    expect(await usageRows()).toHaveLength(4);
  });
});
