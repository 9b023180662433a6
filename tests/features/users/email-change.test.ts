// PUT /users/{email}/email: self-service (current password) and by a user:update holder;
// the new address gets a verification link that works, the old one a security alert.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { issueTokens } from "../../../src/features/auth/issue.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, login, PASSWORD, unique } from "../../helpers/identity.ts";
import { capturedFor, linkIn, waitForCaptured } from "../email/helpers.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: { access_token: string };
beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: "https://imbi.example.test" });
  org = await createOrg(t);
  admin = await login(t, await createUser(t, { isAdmin: true, email: `${unique("admin")}@example.com` }));
});
afterAll(() => t.close());

const address = (prefix: string) => `${unique(prefix)}@mail.example.com`;
const put = (email: string, body: unknown, token?: string) => t.req(`/users/${encodeURIComponent(email)}/email`, {
  method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json", ...(token ? bearer(token) : {}) },
});
const verifiedOf = async (id: string) => (await t.infra.sql`select email, email_verified from users where id = ${id}`)[0]!;

describe("changing your own address", () => {
  test("with the current password: 200, unverified, verification mail to the new address that works, alert to the old", async () => {
    const user = await createUser(t, { email: address("self"), org });
    await t.infra.sql`update users set email_verified = true where id = ${user.id}`;
    const session = await login(t, user);
    const next = address("selfnew");
    const response = await put(user.email, { email: next, current_password: PASSWORD }, session.access_token);
    expect(response.status).toBe(200);
    const body = await response.json() as { email: string; email_verified: boolean };
    expect(body.email).toBe(next);
    expect(body.email_verified).toBe(false);

    const [verify] = await waitForCaptured(next, 1);
    expect(verify!.Subject).toBe("Verify your email address for Imbi");
    const link = linkIn(verify!, "/auth/verify-email");
    expect(link.origin).toBe("https://imbi.example.test");
    const [alert] = await waitForCaptured(user.email, 1);
    expect(alert!.Subject).toBe("The email address of your Imbi account was changed");
    expect(alert!.Text).toContain(next);

    const done = await t.req("/auth/verify-email", {
      method: "POST", body: JSON.stringify({ token: link.searchParams.get("token") }), headers: { "content-type": "application/json" },
    });
    expect(done.status).toBeLessThan(300);
    expect(await verifiedOf(user.id)).toEqual({ email: next, email_verified: true });

    // The session survives the change; signing in uses the new address only.
    expect((await t.req("/users/me", { headers: bearer(session.access_token) })).status).toBe(200);
    expect((await t.req("/auth/login", {
      method: "POST", body: JSON.stringify({ email: user.email, password: PASSWORD }), headers: { "content-type": "application/json" },
    })).status).toBe(401);
    expect((await login(t, { email: next, password: PASSWORD })).access_token).toBeString();
  });

  test("a wrong current password is 401, a missing one 400, and nothing changes or is sent", async () => {
    const user = await createUser(t, { email: address("wrongpw"), org });
    const session = await login(t, user);
    const next = address("wrongpwnew");
    expect((await put(user.email, { email: next, current_password: "not-it" }, session.access_token)).status).toBe(401);
    const missing = await put(user.email, { email: next }, session.access_token);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ detail: "Current password is required" });
    expect((await verifiedOf(user.id)).email).toBe(user.email);
    await Bun.sleep(300);
    expect(await capturedFor(next)).toEqual([]);
  });

  test("a user without a password (signed in through an identity provider) needs none", async () => {
    const user = await createUser(t, { email: address("nopw"), org, password: null });
    // Such users sign in through an identity provider; their session is issued the same way.
    const session = await issueTokens(
      { sql: t.infra.sql, auth: t.config.settings.auth, codec: t.ctx.codec, events: t.ctx.events },
      { owner: { kind: "user", id: user.id }, subject: user.email, authMethod: "oauth", claims: { auth_method: "oauth" }, meta: { ip: "127.0.0.1" } },
    );
    const next = address("nopwnew");
    const response = await put(user.email, { email: next }, session.access_token);
    expect(response.status).toBe(200);
    expect((await verifiedOf(user.id)).email).toBe(next);
  });
});

describe("changing another user's address", () => {
  test("an admin may, without a password; the new address is unverified", async () => {
    const user = await createUser(t, { email: address("byadmin"), org });
    const next = address("byadminnew");
    const response = await put(user.email, { email: next }, admin.access_token);
    expect(response.status).toBe(200);
    expect(await verifiedOf(user.id)).toEqual({ email: next, email_verified: false });
    await waitForCaptured(next, 1);
  });

  test("a member without user:update gets 403; a non-admin may not change an admin's address", async () => {
    const developer = await login(t, await createUser(t, { email: address("dev"), org, role: "developer" }));
    const victim = await createUser(t, { email: address("victim"), org });
    expect((await put(victim.email, { email: address("stolen") }, developer.access_token)).status).toBe(403);

    const orgAdmin = await login(t, await createUser(t, { email: address("orgadmin"), org, role: "admin" }));
    const platformAdmin = await createUser(t, { email: address("platform"), isAdmin: true });
    const refused = await put(platformAdmin.email, { email: address("taken-over") }, orgAdmin.access_token);
    expect(refused.status).toBe(403);
    expect((await verifiedOf(platformAdmin.id)).email).toBe(platformAdmin.email);
  });
});

describe("refusals", () => {
  test("401 without a token, 404 for an unknown user", async () => {
    expect((await put("someone@example.com", { email: address("x") })).status).toBe(401);
    expect((await put(`${unique("ghost")}@example.com`, { email: address("x") }, admin.access_token)).status).toBe(404);
  });

  test("409 when another user has the address (in any letter case)", async () => {
    const user = await createUser(t, { email: address("clash") });
    const other = await createUser(t, { email: address("holder") });
    const response = await put(user.email, { email: other.email.toUpperCase().replace(/@.*/, (d) => d.toLowerCase()) }, admin.access_token);
    expect(response.status).toBe(409);
    expect((await verifiedOf(user.id)).email).toBe(user.email);
  });

  test("400 for the current address; 422 for a malformed or missing one", async () => {
    const user = await createUser(t, { email: address("same") });
    expect((await put(user.email, { email: user.email }, admin.access_token)).status).toBe(400);
    for (const body of [{ email: "not-an-address" }, { email: "" }, {}, { email: 42 }]) {
      const response = await put(user.email, body, admin.access_token);
      expect(response.status).toBe(422);
      expect(Array.isArray((await response.json() as { detail: unknown }).detail)).toBe(true);
    }
    const malformed = await t.req(`/users/${encodeURIComponent(user.email)}/email`, {
      method: "PUT", body: "{", headers: { "content-type": "application/json", ...bearer(admin.access_token) },
    });
    expect(malformed.status).toBe(400);
  });
});
