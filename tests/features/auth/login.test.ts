/** POST /auth/login, POST /auth/token/refresh, POST /auth/logout, GET /auth/providers. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, PASSWORD, type TestUser } from "../../helpers/identity.ts";

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  const org = await createOrg(t);
  user = await createUser(t, { org });
});
afterAll(() => t.close());

const cookiesOf = (response: Response) => response.headers.getSetCookie();

describe("POST /auth/login", () => {
  test("valid credentials → tokens in the body and both cookies", async () => {
    const response = await t.req("/auth/login", json({ email: user.email, password: PASSWORD }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(typeof body.access_token).toBe("string");
    const cookies = cookiesOf(response);
    const refresh = cookies.find((c) => c.startsWith("imbi_refresh_token="))!;
    const access = cookies.find((c) => c.startsWith("imbi_access_token="))!;
    expect(refresh).toContain("Path=/auth");
    expect(refresh).toContain("HttpOnly");
    expect(refresh).toMatch(/SameSite=Strict/i);
    expect(refresh).not.toContain("Secure"); // development
    expect(access).toContain("Path=/");
  });

  test("the email is matched without regard to case", async () => {
    const response = await t.req("/auth/login", json({ email: user.email.toUpperCase(), password: PASSWORD }));
    expect(response.status).toBe(200);
  });

  test.each([
    ["a wrong password", () => ({ email: user.email, password: "wrong" })],
    ["an unknown email", () => ({ email: "nobody@example.com", password: PASSWORD })],
  ])("%s → 401 Invalid credentials", async (_, body) => {
    const response = await t.req("/auth/login", json(body()));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Invalid credentials" });
  });

  test("an inactive user cannot log in", async () => {
    const inactive = await createUser(t, { isActive: false });
    expect((await t.req("/auth/login", json({ email: inactive.email, password: PASSWORD }))).status).toBe(401);
  });

  test.each([
    [{}], [{ email: "x@example.com" }], [{ password: "x" }], [{ email: "not-an-email", password: "x" }],
    [{ email: 5, password: "x" }], [{ email: "a@example.com", password: "" }],
  ])("malformed body %j → 422", async (body) => {
    const response = await t.req("/auth/login", json(body));
    expect(response.status).toBe(422);
    expect(Array.isArray(((await response.json()) as { detail: unknown }).detail)).toBe(true);
  });

  test("bad JSON → 400", async () => {
    const response = await t.req("/auth/login", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(response.status).toBe(400);
  });
});

describe("POST /auth/token/refresh", () => {
  test("rotates: the new pair works, the old refresh token does not", async () => {
    const first = await login(t, user);
    const rotated = await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }));
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await t.req("/mfa/status", { headers: bearer(second.access_token) })).status).toBe(200);
    expect((await t.req("/mfa/status", { headers: bearer(first.access_token) })).status).toBe(200);
  });

  test("reusing a rotated refresh token ends the whole session", async () => {
    const first = await login(t, user);
    const second = (await (await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }))).json()) as { access_token: string; refresh_token: string };
    const reuse = await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }));
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toEqual({ detail: "Refresh token has been revoked" });
    // The thief's reuse also kills the legitimate holder's newer tokens.
    expect((await t.req("/auth/token/refresh", json({ refresh_token: second.refresh_token }))).status).toBe(401);
    expect((await t.req("/auth/logout", { method: "POST", headers: bearer(second.access_token) })).status).toBe(401);
  });

  test("the cookie is read when no body is sent", async () => {
    const first = await login(t, user);
    const response = await t.req("/auth/token/refresh", { method: "POST", headers: { cookie: `imbi_refresh_token=${first.refresh_token}` } });
    expect(response.status).toBe(200);
  });

  test.each([
    ["no token", undefined, "Missing refresh token"],
    ["garbage", "not-a-jwt", "Invalid refresh token"],
  ])("%s → 401", async (_, token, detail) => {
    const response = await t.req("/auth/token/refresh", json(token ? { refresh_token: token } : {}));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail });
  });

  test("an access token is not a refresh token", async () => {
    const { access_token } = await login(t, user);
    const response = await t.req("/auth/token/refresh", json({ refresh_token: access_token }));
    expect(await response.json()).toEqual({ detail: "Invalid token type" });
  });
});

describe("POST /auth/logout", () => {
  test("ends this session only; cookies are cleared", async () => {
    const a = await login(t, user);
    const b = await login(t, user);
    const response = await t.req("/auth/logout", { method: "POST", headers: bearer(a.access_token) });
    expect(response.status).toBe(204);
    expect(cookiesOf(response).some((c) => c.startsWith("imbi_refresh_token=;") || /imbi_refresh_token=; .*Max-Age=0/.test(c))).toBe(true);
    expect((await t.req("/auth/token/refresh", json({ refresh_token: a.refresh_token }))).status).toBe(401);
    expect((await t.req("/auth/token/refresh", json({ refresh_token: b.refresh_token }))).status).toBe(200);
  });

  test("revoke_all_sessions=true ends every session", async () => {
    const a = await login(t, user);
    const b = await login(t, user);
    expect((await t.req("/auth/logout?revoke_all_sessions=true", { method: "POST", headers: bearer(a.access_token) })).status).toBe(204);
    expect((await t.req("/auth/token/refresh", json({ refresh_token: b.refresh_token }))).status).toBe(401);
  });

  test("without credentials → 401 with WWW-Authenticate", async () => {
    const response = await t.req("/auth/logout", { method: "POST" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });
});

describe("GET /auth/providers", () => {
  test("lists the local password provider", async () => {
    const body = (await (await t.req("/auth/providers")).json()) as { providers: { id: string; type: string }[] };
    expect(body.providers).toContainEqual(expect.objectContaining({ id: "local", type: "password" }));
  });
});
