/**
 * State, browser binding, PKCE and ID-token tampering on the upstream login: every one ends
 * on the SPA's error page with no tokens, and the audit log says why.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createUser, login } from "../../helpers/identity.ts";
import { startFakeOidc, type FakeOidc } from "../../helpers/fake-idp.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { atIdp, callback, landing, LOGIN_ENV, putProvider, start, type Landed } from "./flow.ts";

let t: TestApp;
let idp: FakeOidc;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp(LOGIN_ENV);
  t.ctx.events.subscribe((e) => void events.push(e));
  idp = await startFakeOidc();
  const admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  for (const slug of ["okta", "other"]) {
    expect((await putProvider(t, admin, slug, {
      type: "oidc", name: slug, enabled: true, client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer,
    })).status).toBe(201);
  }
});
afterAll(async () => {
  idp.close();
  await t.close();
});

function refused(landed: Landed, reason: string, returnTo = "/auth/callback") {
  expect(landed.location).toBe(`${returnTo}?error=authentication_failed`);
  expect(landed.fragment.has("access_token")).toBe(false);
  expect(landed.response.headers.getSetCookie().some((c) => /^imbi_(access|refresh)_token=/.test(c))).toBe(false);
  expect(events.filter((e) => e.type === "oauth_login.failed").at(-1)?.detail?.reason).toBe(reason);
}

describe("state", () => {
  test("is single-use: replaying the callback fails", async () => {
    const started = await start(t, "okta", { redirectUri: "/auth/callback" });
    const back = await atIdp(started.authorize);
    expect(landing(await callback(t, back, started.binding)).fragment.get("access_token")).toBeString();
    refused(landing(await callback(t, back, started.binding)), "state_invalid", "/auth/callback");
  });

  test.each([
    ["altered", (s: string) => `${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`],
    ["missing", () => ""],
    ["malformed", () => "not-a-state"],
  ])("%s state fails", async (_case, change) => {
    const started = await start(t, "okta");
    const back = await atIdp(started.authorize);
    back.searchParams.set("state", change(back.searchParams.get("state")!));
    refused(landing(await callback(t, back, started.binding)), "state_invalid");
  });

  test("is bound to the provider it was issued for", async () => {
    const started = await start(t, "okta");
    const back = await atIdp(started.authorize);
    back.pathname = "/auth/oauth/other/callback";
    refused(landing(await callback(t, back, started.binding)), "state_invalid");
  });

  test("is bound to the browser: no binding cookie, or another browser's, fails (login CSRF)", async () => {
    const victim = await start(t, "okta");
    const attacker = await start(t, "okta");
    // The generic error page: the state's return address is not trusted for a browser that did not start the login.
    refused(landing(await callback(t, await atIdp(attacker.authorize), undefined)), "browser_mismatch");
    const attackerAgain = await start(t, "okta");
    refused(landing(await callback(t, await atIdp(attackerAgain.authorize), victim.binding)), "browser_mismatch");
  });
});

describe("PKCE", () => {
  test("a code_challenge changed on the way to the IdP makes the code exchange fail", async () => {
    const started = await start(t, "okta");
    started.authorize.searchParams.set("code_challenge", "A".repeat(43));
    refused(landing(await callback(t, await atIdp(started.authorize), started.binding)), "provider_error", "/dashboard");
    expect(idp.refusals.at(-1)).toBe("PKCE verification failed");
  });

  test("a code minted for another redirect_uri is refused by the IdP", async () => {
    const started = await start(t, "okta");
    started.authorize.searchParams.set("redirect_uri", "http://localhost/auth/oauth/okta/callback?x=1");
    const back = await atIdp(started.authorize);
    back.search = `?code=${back.searchParams.get("code")}&state=${back.searchParams.get("state")}`;
    refused(landing(await callback(t, back, started.binding)), "provider_error", "/dashboard");
    expect(idp.refusals.at(-1)).toBe("redirect_uri mismatch");
  });
});

describe("ID token", () => {
  const now = () => Math.floor(Date.now() / 1000);
  test.each([
    ["a nonce from another login", { claims: { nonce: "someone-elses-nonce" } }, "nonce_mismatch"],
    ["no nonce", { omit: ["nonce"] }, "nonce_mismatch"],
    ["a signature by a key not in the JWKS", { foreignKey: true }, "id_token_invalid"],
    ["another issuer", { claims: { iss: "https://evil.example.com" } }, "id_token_invalid"],
    ["another audience", { claims: { aud: "someone-else" } }, "id_token_invalid"],
    ["several audiences without azp", { claims: { aud: ["fake-client", "someone-else"] } }, "id_token_invalid"],
    ["an expiry in the past", { claims: { exp: now() - 3600, iat: now() - 7200 } }, "id_token_invalid"],
  ])("%s is rejected", async (_case, tamper, reason) => {
    idp.tamper = tamper;
    try {
      const started = await start(t, "okta");
      refused(landing(await callback(t, await atIdp(started.authorize), started.binding)), reason, "/dashboard");
    } finally {
      idp.tamper = {};
    }
  });
});

describe("IdP answers", () => {
  test("an error from the IdP is passed on when it is an RFC 6749 code, and the state is spent", async () => {
    const started = await start(t, "okta", { redirectUri: "/auth/callback" });
    const state = started.authorize.searchParams.get("state")!;
    const denied = landing(await t.req(`/auth/oauth/okta/callback?error=access_denied&state=${state}`, { headers: { cookie: `imbi_oauth_binding=${started.binding}` } }));
    expect(denied.location).toBe("/auth/callback?error=access_denied");
    const odd = await start(t, "okta");
    const weird = landing(await t.req(`/auth/oauth/okta/callback?error=${encodeURIComponent("<script>")}&state=${odd.authorize.searchParams.get("state")}`,
      { headers: { cookie: `imbi_oauth_binding=${odd.binding}` } }));
    expect(weird.location).toBe("/dashboard?error=authentication_failed");
    const back = await atIdp(started.authorize);
    refused(landing(await callback(t, back, started.binding)), "state_invalid");
  });

  test("an iss (RFC 9207) naming another issuer → fails (mix-up defence); the right one passes", async () => {
    const started = await start(t, "okta");
    const back = await atIdp(started.authorize);
    back.searchParams.set("iss", "https://evil.example.com");
    refused(landing(await callback(t, back, started.binding)), "issuer_mismatch", "/dashboard");
    const honest = await start(t, "okta");
    const honestBack = await atIdp(honest.authorize);
    honestBack.searchParams.set("iss", idp.issuer);
    expect(landing(await callback(t, honestBack, honest.binding)).fragment.get("access_token")).toBeString();
  });

  test("no code → fails; an overlong parameter → 422, not a 500", async () => {
    const started = await start(t, "okta");
    const landed = landing(await t.req(`/auth/oauth/okta/callback?state=${started.authorize.searchParams.get("state")}`, { headers: { cookie: `imbi_oauth_binding=${started.binding}` } }));
    refused(landed, "code_missing", "/dashboard");
    expect((await t.req(`/auth/oauth/okta/callback?code=${"x".repeat(5000)}`)).status).toBe(422);
  });

  test("a client secret that no longer decrypts (encryption key changed) → fails, logged, no 500", async () => {
    const admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
    await putProvider(t, admin, "rekeyed", { type: "oidc", name: "Rekeyed", enabled: true, client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer });
    await t.infra.sql`update oauth_providers set client_secret_encrypted = 'gAAAAABnot-a-valid-token' where slug = 'rekeyed'`;
    const started = await start(t, "rekeyed");
    refused(landing(await callback(t, await atIdp(started.authorize), started.binding)), "client_secret_unreadable", "/dashboard");
    expect(t.logs.some((l) => l.level === "error" && l.msg.includes("does not decrypt"))).toBe(true);
  });

  test("a provider disabled between start and callback → fails", async () => {
    const admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
    const started = await start(t, "other");
    const back = await atIdp(started.authorize);
    await putProvider(t, admin, "other", { type: "oidc", name: "other", enabled: false, issuer_url: idp.issuer });
    refused(landing(await callback(t, back, started.binding)), "provider_disabled", "/dashboard");
  });
});
