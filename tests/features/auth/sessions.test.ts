/** Sessions (refresh families): IMBI_AUTH_MAX_CONCURRENT_SESSIONS and IMBI_AUTH_SESSION_TIMEOUT_SECONDS. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, type TestUser } from "../../helpers/identity.ts";

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp({ IMBI_AUTH_MAX_CONCURRENT_SESSIONS: "2", IMBI_AUTH_SESSION_TIMEOUT_SECONDS: "600" });
  user = await createUser(t, { org: await createOrg(t) });
});
afterAll(() => t.close());

const refreshWith = (token: string) => t.req("/auth/token/refresh", json({ refresh_token: token }));
const me = (token: string) => t.req("/mfa/status", { headers: bearer(token) });

describe("IMBI_AUTH_MAX_CONCURRENT_SESSIONS", () => {
  test("a third login evicts the oldest session, and only it", async () => {
    const first = await login(t, user);
    const second = await login(t, user);
    const third = await login(t, user);
    expect((await me(first.access_token)).status).toBe(401);
    expect((await refreshWith(first.refresh_token)).status).toBe(401);
    expect((await me(second.access_token)).status).toBe(200);
    expect((await me(third.access_token)).status).toBe(200);
  });

  test("refreshing continues a session: it does not count as a new one", async () => {
    const other = await createUser(t);
    const a = await login(t, other);
    const b = await login(t, other);
    const rotated = (await (await refreshWith(a.refresh_token)).json()) as { access_token: string };
    expect((await me(rotated.access_token)).status).toBe(200);
    expect((await me(b.access_token)).status).toBe(200);
  });
});

describe("IMBI_AUTH_SESSION_TIMEOUT_SECONDS", () => {
  test("a session idle for longer than the timeout ends; access and refresh tokens stop working", async () => {
    const other = await createUser(t);
    const tokens = await login(t, other);
    expect((await me(tokens.access_token)).status).toBe(200);
    // Time travel: the session was last used 601 s ago.
    await t.infra.sql`update sessions set last_used_at = now() - interval '601 seconds' where user_id = ${other.id}`;
    const response = await me(tokens.access_token);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Session expired" });
    expect((await refreshWith(tokens.refresh_token)).status).toBe(401);
    const [session] = await t.infra.sql`select revoked_reason from sessions where user_id = ${other.id}`;
    expect(session!.revoked_reason).toBe("idle timeout");
  });

  test("activity within the timeout keeps the session alive", async () => {
    const other = await createUser(t);
    const tokens = await login(t, other);
    await t.infra.sql`update sessions set last_used_at = now() - interval '500 seconds' where user_id = ${other.id}`;
    expect((await me(tokens.access_token)).status).toBe(200);
    const [session] = await t.infra.sql`select last_used_at from sessions where user_id = ${other.id}`;
    expect(Date.now() - (session!.last_used_at as Date).getTime()).toBeLessThan(10_000);
  });
});
