/** A user with MFA signs in upstream: the callback gives an MFA step, never tokens; POST /auth/oauth/mfa finishes it. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generate } from "otplib";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createUser, json, login, type TestUser } from "../../helpers/identity.ts";
import { startFakeOidc, type FakeOidc } from "../../helpers/fake-idp.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { atIdp, BINDING, callback, cookieValue, landing, LOGIN_ENV, putProvider, start } from "./flow.ts";

let t: TestApp;
let idp: FakeOidc;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp({ ...LOGIN_ENV, IMBI_AUTH_MFA_TOTP_DIGITS: "6", IMBI_AUTH_MFA_TOTP_PERIOD: "30" });
  t.ctx.events.subscribe((e) => void events.push(e));
  idp = await startFakeOidc();
  const admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  expect((await putProvider(t, admin, "okta", {
    type: "oidc", name: "Okta", enabled: true, client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer,
  })).status).toBe(201);
});
afterAll(async () => {
  idp.close();
  await t.close();
});

const totp = (secret: string, offsetSteps = 0) => generate({ secret, digits: 6, period: 30, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

async function enrolled(): Promise<{ user: TestUser; secret: string; backup: string[] }> {
  const user = await createUser(t);
  const { access_token } = await login(t, user);
  const setup = (await (await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) })).json()) as { secret: string; backup_codes: string[] };
  expect((await t.req("/mfa/verify", json({ code: await totp(setup.secret) }, bearer(access_token)))).status).toBe(204);
  return { user, secret: setup.secret, backup: setup.backup_codes };
}

/** Through the IdP to the MFA step; returns the browser's binding and the MFA token. */
async function toMfaStep(user: TestUser): Promise<{ binding: string; mfaToken: string; response: Response }> {
  idp.user = { sub: `sub-${user.id}`, email: user.email, email_verified: true };
  const started = await start(t, "okta", { redirectUri: "/auth/callback" });
  const landed = landing(await callback(t, await atIdp(started.authorize), started.binding));
  return { binding: started.binding, mfaToken: landed.fragment.get("mfa_token")!, response: landed.response };
}

const finish = (body: unknown, binding?: string) =>
  t.req("/auth/oauth/mfa", json(body, binding ? { cookie: `${BINDING}=${binding}` } : {}));

describe("GET /auth/oauth/{slug}/callback for a user with MFA", () => {
  test("lands on the SPA with an MFA step and no tokens, no cookies", async () => {
    const { user } = await enrolled();
    const { mfaToken, response } = await toMfaStep(user);
    const location = response.headers.get("location")!;
    expect(location).toStartWith("/auth/callback#mfa_required=true&mfa_token=");
    expect(location).not.toContain("access_token");
    expect(mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookieValue(response, "imbi_access_token")).toBeUndefined();
    expect(cookieValue(response, "imbi_refresh_token")).toBeUndefined();
    expect(events.filter((e) => e.actor_id === user.id).map((e) => e.type)).toContain("oauth_login.mfa_required");
    expect(events.some((e) => e.type === "oauth_login.succeeded" && e.actor_id === user.id)).toBe(false);
    // Nothing is linked to the account by someone who has not passed its MFA (and no alert goes out).
    expect((await t.infra.sql`select 1 from oauth_identities where user_id = ${user.id}`).length).toBe(0);
    expect(events.some((e) => e.type === "oauth_identity.linked" && e.actor_id === user.id)).toBe(false);
  });
});

describe("POST /auth/oauth/mfa", () => {
  test("a TOTP code finishes the login: tokens, cookies, the event; the MFA token is then spent", async () => {
    const { user, secret } = await enrolled();
    const { binding, mfaToken } = await toMfaStep(user);
    const wrong = await finish({ mfa_token: mfaToken, mfa_code: "000000" }, binding);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("x-mfa-required")).toBe("true");
    expect(await wrong.json()).toEqual({ detail: "Invalid MFA code" });

    const ok = await finish({ mfa_token: mfaToken, mfa_code: await totp(secret, 1) }, binding);
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { access_token: string; token_type: string };
    expect(tokens.token_type).toBe("bearer");
    expect(cookieValue(ok, "imbi_access_token")).toBe(tokens.access_token);
    expect(((await (await t.req("/users/me", { headers: bearer(tokens.access_token) })).json()) as { email: string }).email).toBe(user.email);
    expect(events.find((e) => e.type === "oauth_login.succeeded" && e.actor_id === user.id)?.detail).toEqual({ provider: "okta", mfa: true });
    expect((await t.infra.sql`select 1 from oauth_identities where user_id = ${user.id}`).length).toBe(1);
    expect(events.find((e) => e.type === "oauth_identity.linked" && e.actor_id === user.id)?.detail).toEqual({ provider: "okta", user_created: false });

    const again = await finish({ mfa_token: mfaToken, mfa_code: await totp(secret, -1) }, binding);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ detail: "Invalid or expired MFA token" });
  });

  test("a backup code works too", async () => {
    const { user, backup } = await enrolled();
    const { binding, mfaToken } = await toMfaStep(user);
    expect((await finish({ mfa_token: mfaToken, mfa_code: backup[0] }, binding)).status).toBe(200);
  });

  test("the MFA token only counts in the browser that logged in", async () => {
    const { user, secret } = await enrolled();
    const { mfaToken } = await toMfaStep(user);
    expect((await finish({ mfa_token: mfaToken, mfa_code: await totp(secret) })).status).toBe(401);
    expect((await finish({ mfa_token: mfaToken, mfa_code: await totp(secret) }, "A".repeat(43))).status).toBe(401);
  });

  test("five wrong codes end the pending login", async () => {
    const { user, secret } = await enrolled();
    const { binding, mfaToken } = await toMfaStep(user);
    for (let i = 0; i < 5; i++) expect((await finish({ mfa_token: mfaToken, mfa_code: "000000" }, binding)).status).toBe(401);
    const late = await finish({ mfa_token: mfaToken, mfa_code: await totp(secret) }, binding);
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ detail: "Invalid or expired MFA token" });
  });

  test.each([
    [{}],
    [{ mfa_token: "x" }],
    [{ mfa_code: "123456" }],
    [{ mfa_token: "", mfa_code: "123456" }],
    [{ mfa_token: "x", mfa_code: 123456 }],
  ])("malformed %j → 422", async (body) => {
    expect((await finish(body)).status).toBe(422);
  });

  test("an unknown token → 401", async () => {
    expect((await finish({ mfa_token: "B".repeat(43), mfa_code: "123456" }, "C".repeat(43))).status).toBe(401);
  });
});
