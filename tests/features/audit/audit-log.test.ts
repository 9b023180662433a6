/**
 * The audit log (D6, STYLE habit 12): every event emitted today lands as a row of
 * ClickHouse `audit_log` with who, what, when and where from.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, type TestUser } from "../../helpers/identity.ts";
import { errorHandler } from "../../../src/http/errors.ts";
import { newApiKeyId, newSecret } from "../../../src/lib/ids.ts";
import { hashSecret } from "../../../src/lib/secrets.ts";
import type { AuditRow } from "../../../src/features/audit/audit-log.ts";


let t: TestApp;
let user: TestUser;
let evicted: TestUser;
let rows: AuditRow[];
const startedAt = Date.now();

beforeAll(async () => {
  t = await startTestApp({ IMBI_AUTH_MAX_CONCURRENT_SESSIONS: "2", IMBI_AUTH_RATE_LIMIT_API_KEY: "1/minute" });
  const org = await createOrg(t);
  user = await createUser(t, { org });
  evicted = await createUser(t);

  // login.succeeded, login.failed (over a real socket, so the row has an IP and user agent)
  const first = await login(t, user);
  const base = t.listen();
  await fetch(`${base}/auth/login`, { ...json({ email: user.email, password: "wrong" }), headers: { "content-type": "application/json", "user-agent": "audit-test/1.0" } });
  // token.refreshed, then refresh_token.reused
  expect((await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }))).status).toBe(200);
  expect((await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }))).status).toBe(401);
  // session.evicted: a third session with a limit of two
  for (let i = 0; i < 3; i++) await login(t, evicted);
  // mfa.setup_started, mfa.verify_failed
  const { access_token } = await login(t, user);
  expect((await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) })).status).toBe(200);
  expect((await t.req("/mfa/verify", json({ code: "000000" }, bearer(access_token)))).status).toBe(401);
  // permission.denied, through the `permission` route option
  const guarded = new Elysia().use(errorHandler(t.ctx.logger)).use(t.ctx.auth)
    .get("/organizations/:org_slug/probe", () => "ok", { permission: "roles:write" });
  expect((await guarded.handle(new Request(`http://localhost/organizations/${org.slug}/probe`, { headers: bearer(access_token) }))).status).toBe(403);
  // rate_limit.exceeded: the second request of an API key limited to 1/minute
  const keyId = newApiKeyId();
  const secret = newSecret();
  await t.infra.sql`insert into api_keys (key_id, secret_hash, user_id, name, scopes, expires_at)
    values (${keyId}, ${hashSecret(secret)}, ${user.id}, 'audit test', '{}', ${new Date(Date.now() + 86_400_000)})`;
  expect((await t.req("/mfa/status", { headers: bearer(`${keyId}_${secret}`) })).status).toBe(200);
  expect((await t.req("/mfa/status", { headers: bearer(`${keyId}_${secret}`) })).status).toBe(429);
  // logout
  expect((await t.req("/auth/logout", { method: "POST", headers: bearer(access_token) })).status).toBe(204);

  await Bun.sleep(20); // events emitted after a response
  await t.ctx.analytics.flush();
  const result = await t.infra.clickhouse.query({ query: "SELECT *, toString(at) AS at FROM audit_log ORDER BY at", format: "JSONEachRow" });
  rows = await result.json<AuditRow>();
});
afterAll(() => t.close());

const rowsOf = (type: string) => rows.filter((r) => r.event_type === type);
const detailOf = (row: AuditRow) => JSON.parse(row.detail) as Record<string, unknown>;

describe("audit_log", () => {
  test.each([
    ["login.succeeded", "success", () => ({ actor_type: "user", actor_id: user.id, actor_name: user.email })],
    ["login.failed", "failure", () => ({ actor_type: "user", actor_id: user.id, actor_name: user.email })],
    ["token.refreshed", "success", () => ({ actor_type: "user", actor_id: user.id })],
    ["refresh_token.reused", "failure", () => ({ actor_type: "user", actor_id: user.id })],
    ["session.evicted", "success", () => ({ actor_type: "user", actor_id: evicted.id })],
    ["session.ended", "success", () => ({ actor_type: "user", actor_id: user.id, actor_name: user.email })],
    ["mfa.setup_started", "success", () => ({ actor_type: "user", actor_id: user.id, actor_name: user.email })],
    ["mfa.verify_failed", "failure", () => ({ actor_type: "user", actor_id: user.id })],
    ["permission.denied", "failure", () => ({ actor_type: "user", actor_id: user.id })],
    ["rate_limit.exceeded", "failure", () => ({ actor_type: "user", actor_id: user.id })],
  ] as const)("%s → a row with its actor and outcome", (type, outcome, actor) => {
    const found = rowsOf(type);
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]).toMatchObject({ outcome, ...actor() });
    expect(found[0]!.event_id).toHaveLength(21);
    const at = Date.parse(`${found[0]!.at.replace(" ", "T")}Z`);
    expect(at).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test("request metadata: IP and user agent from the socket, the request id", () => {
    const failed = rowsOf("login.failed")[0]!;
    expect(failed.ip).toBe("127.0.0.1");
    expect(failed.user_agent).toBe("audit-test/1.0");
    expect(failed.request_id.length).toBeGreaterThan(0);
    expect(detailOf(failed)).toEqual({ reason: "invalid_credentials" });
  });

  test("detail is the event's fields as JSON", () => {
    expect(detailOf(rowsOf("permission.denied")[0]!)).toMatchObject({ permission: "roles:write", organization: expect.any(String) });
    expect(detailOf(rowsOf("session.evicted")[0]!)).toEqual({ sessions: 1, limit: 2 });
    expect(detailOf(rowsOf("rate_limit.exceeded")[0]!)).toMatchObject({ limit: "api_key", key: "api_key", rate: "1/minute" });
    expect(detailOf(rowsOf("mfa.setup_started")[0]!)).toEqual({});
  });

  test("each event is written once", () => {
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
    expect(rowsOf("session.ended")).toHaveLength(1);
    expect(rowsOf("refresh_token.reused")).toHaveLength(1);
  });

  test("the table keeps rows 400 days and is ordered for an actor's history", async () => {
    const result = await t.infra.clickhouse.query({
      query: "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'audit_log'", format: "JSONEachRow",
    });
    const [table] = await result.json<{ engine_full: string }>();
    expect(table!.engine_full).toContain("ORDER BY (actor_type, actor_id, at)");
    expect(table!.engine_full).toMatch(/TTL .*toIntervalDay\(400\)/);
  });
});
