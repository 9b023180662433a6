/** The upstream login through OIDC providers (fake IdPs over real HTTP): start, callback, multi-host. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createUser, login } from "../../helpers/identity.ts";
import { startFakeOidc, type FakeOidc } from "../../helpers/fake-idp.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { atIdp, BINDING, callback, cookieValue, landing, LOGIN_ENV, loginThrough, putProvider, start } from "./flow.ts";

let t: TestApp;
let okta: FakeOidc;
let auth0: FakeOidc;
let admin: string;
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp({ ...LOGIN_ENV, IMBI_API_CORS_ALLOWED_ORIGINS: '["http://spa.example.com"]' });
  t.ctx.events.subscribe((e) => void events.push(e));
  [okta, auth0] = await Promise.all([startFakeOidc(), startFakeOidc({ clientId: "auth0-client", clientSecret: "auth0-secret" })]);
  admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  for (const [slug, idp] of [["okta", okta], ["auth0", auth0]] as const) {
    const response = await putProvider(t, admin, slug, {
      type: "oidc", name: slug, enabled: true, client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer,
    });
    expect(response.status).toBe(201);
  }
});
afterAll(async () => {
  okta.close();
  auth0.close();
  await t.close();
});

describe("GET /auth/oauth/{slug}", () => {
  test("redirects to the IdP with code flow, state, nonce and PKCE S256, and binds the browser with a Lax HttpOnly cookie", async () => {
    const { authorize, response } = await start(t, "okta", { redirectUri: "/auth/callback" });
    expect(authorize.origin).toBe(okta.issuer);
    expect(authorize.pathname).toBe("/authorize");
    const q = authorize.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(okta.clientId);
    expect(q.get("redirect_uri")).toBe("http://localhost/auth/oauth/okta/callback");
    expect(q.get("scope")!.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
    expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("code_challenge_method")).toBe("S256");
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${BINDING}=`))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toContain("Path=/auth/oauth");
  });

  test("each start gets its own state; the browser keeps one binding cookie for parallel logins", async () => {
    const first = await start(t, "okta");
    const second = await start(t, "okta", { cookie: first.binding });
    expect(second.binding).toBe(first.binding);
    expect(second.authorize.searchParams.get("state")).not.toBe(first.authorize.searchParams.get("state"));
    // Both complete, in either order.
    for (const started of [second, first]) {
      const landed = landing(await callback(t, await atIdp(started.authorize), first.binding));
      expect(landed.fragment.get("access_token")).toBeString();
    }
  });

  test.each([
    ["another site", "https://evil.example.com/auth/callback"],
    ["a protocol-relative URL", "//evil.example.com/auth/callback"],
    ["a backslash trick", "/\\evil.example.com"],
    ["a script URL", "javascript:alert(1)"],
    ["whitespace", "/auth/callback x"],
    ["a fragment", "/auth/callback#x"],
    ["credentials in the URL", "http://user:pw@spa.example.com/auth/callback"],
  ])("redirect_uri to %s → 400", async (_case, redirectUri) => {
    const response = await t.req(`/auth/oauth/okta?redirect_uri=${encodeURIComponent(redirectUri)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Invalid redirect_uri" });
  });

  test("unknown or disabled provider → 404; malformed slug → 422", async () => {
    expect((await t.req("/auth/oauth/nope")).status).toBe(404);
    await putProvider(t, admin, "off", { type: "oidc", name: "Off", enabled: false, issuer_url: okta.issuer });
    const disabled = await t.req("/auth/oauth/off");
    expect(disabled.status).toBe(404);
    expect(await disabled.json()).toEqual({ detail: "Invalid provider: off" });
    expect((await t.req("/auth/oauth/NOT_A_SLUG")).status).toBe(422);
  });

  test("an unreachable issuer → 502, not a hang or a 500", async () => {
    const dead = await startFakeOidc();
    await putProvider(t, admin, "dead", { type: "oidc", name: "Dead", enabled: true, client_id: "c", issuer_url: dead.issuer });
    dead.close();
    expect((await t.req("/auth/oauth/dead")).status).toBe(502);
  });
});

describe("callback URL: trusted hosts only (multi-host deployments)", () => {
  const redirectUriFor = async (headers: Record<string, string>) =>
    (await start(t, "okta", { headers })).authorize.searchParams.get("redirect_uri");

  test("a CORS-allowed origin gets its own callback URL; any other Host falls back to IMBI_API_URL", async () => {
    expect(await redirectUriFor({ host: "spa.example.com" })).toBe("http://spa.example.com/auth/oauth/okta/callback");
    expect(await redirectUriFor({ host: "evil.example.com" })).toBe("http://localhost/auth/oauth/okta/callback");
  });

  test("X-Forwarded-Host from an untrusted peer is ignored", async () => {
    expect(await redirectUriFor({ "x-forwarded-host": "spa.example.com", "x-forwarded-proto": "http" })).toBe("http://localhost/auth/oauth/okta/callback");
  });

  test("tokens may be delivered to a trusted absolute URL", async () => {
    const landed = await loginThrough(t, "okta", "http://spa.example.com/auth/callback");
    expect(landed.location).toStartWith("http://spa.example.com/auth/callback#access_token=");
  });
});

describe("GET /auth/oauth/{slug}/callback", () => {
  test("first login creates the user; the browser lands on the SPA with the access token in the fragment and both cookies", async () => {
    okta.user = { sub: "okta-new-1", email: "new.person@example.com", email_verified: true, name: "New Person", picture: "https://pics.example/n.png" };
    const landed = await loginThrough(t, "okta");
    expect(landed.location).toStartWith("/auth/callback#");
    expect(landed.fragment.get("token_type")).toBe("bearer");
    expect(landed.fragment.get("expires_in")).toBe("3600");
    expect(landed.fragment.has("refresh_token")).toBe(false);
    const access = landed.fragment.get("access_token")!;
    expect(cookieValue(landed.response, "imbi_access_token")).toBe(access);
    expect(cookieValue(landed.response, "imbi_refresh_token")).toBeString();

    const me = await t.req("/users/me", { headers: bearer(access) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: "new.person@example.com", display_name: "New Person", avatar_url: "https://pics.example/n.png" });

    const [user] = await t.infra.sql<{ id: string; password_hash: string | null; email_verified: boolean }[]>`
      select id, password_hash, email_verified from users where email = 'new.person@example.com'`;
    expect(user).toMatchObject({ password_hash: null, email_verified: true });
    const [identity] = await t.infra.sql<{ subject: string; access_token_encrypted: string; refresh_token_encrypted: string }[]>`
      select subject, access_token_encrypted, refresh_token_encrypted from oauth_identities where user_id = ${user!.id} and provider_slug = 'okta'`;
    expect(identity!.subject).toBe("okta-new-1");
    expect(identity!.refresh_token_encrypted).not.toContain("refresh-");
    expect(t.ctx.fernet.decryptText(identity!.refresh_token_encrypted)).toStartWith("refresh-");
    expect(t.ctx.fernet.decryptText(identity!.access_token_encrypted)).toMatch(/^[0-9a-f]{32}$/);

    expect(events.find((e) => e.type === "oauth_identity.linked" && e.actor_id === user!.id)?.detail).toEqual({ provider: "okta", user_created: true });
    expect(events.find((e) => e.type === "oauth_login.succeeded" && e.actor_id === user!.id)?.detail).toEqual({ provider: "okta", mfa: false });
  });

  test("a later login finds the user by the provider's subject, even after the email changed at the IdP", async () => {
    okta.user = { sub: "okta-new-1", email: "renamed@example.com", email_verified: true, name: "New Person" };
    const landed = await loginThrough(t, "okta");
    const me = (await (await t.req("/users/me", { headers: bearer(landed.fragment.get("access_token")!) })).json()) as { email: string };
    expect(me.email).toBe("new.person@example.com");
    expect((await t.infra.sql`select 1 from users where email = 'renamed@example.com'`).length).toBe(0);
  });

  test("two OIDC providers side by side: the same person gets one identity per provider", async () => {
    auth0.user = { sub: "auth0|77", email: "new.person@example.com", email_verified: true, name: "New Person" };
    const landed = await loginThrough(t, "auth0");
    expect(landed.fragment.get("access_token")).toBeString();
    const rows = await t.infra.sql<{ provider_slug: string }[]>`
      select i.provider_slug from oauth_identities i join users u on u.id = i.user_id where u.email = 'new.person@example.com' order by 1`;
    expect(rows.map((r) => r.provider_slug)).toEqual(["auth0", "okta"]);
    expect(auth0.lastAuthorize?.get("redirect_uri")).toBe("http://localhost/auth/oauth/auth0/callback");
  });

  test("an email only in userinfo (not in the ID token) is fetched from the userinfo endpoint", async () => {
    okta.user = { sub: "okta-userinfo", email: "info.only@example.com", email_verified: true, name: "Info Only" };
    okta.tamper = { omit: ["email", "email_verified"] };
    try {
      const landed = await loginThrough(t, "okta");
      const me = (await (await t.req("/users/me", { headers: bearer(landed.fragment.get("access_token")!) })).json()) as { email: string };
      expect(me.email).toBe("info.only@example.com");
    } finally {
      okta.tamper = {};
    }
  });

  test("no email anywhere → the SPA gets error=authentication_failed; the audit log gets the reason", async () => {
    okta.user = { sub: "okta-no-email", name: "Anonymous" };
    const landed = await loginThrough(t, "okta");
    expect(landed.location).toBe("/auth/callback?error=authentication_failed");
    expect(landed.response.headers.getSetCookie().some((c) => c.startsWith("imbi_access_token="))).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "oauth_login.failed", outcome: "failure", detail: { provider: "okta", reason: "email_missing" } });
  });
});

describe("rate limit IMBI_AUTH_RATE_LIMIT_OAUTH_INIT", () => {
  test("the start is limited per client", async () => {
    const limited = await startTestApp({ ...LOGIN_ENV, IMBI_AUTH_RATE_LIMIT_OAUTH_INIT: "2/minute" });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.req("/auth/oauth/none")).status);
      expect(statuses).toEqual([404, 404, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe("behind a path prefix (IMBI_API_URL=http://localhost/api)", () => {
  test("the callback URL and the binding cookie carry the prefix; the round trip works", async () => {
    const prefixed = await startTestApp({ IMBI_API_URL: "http://localhost/api" });
    try {
      const token = (await (await prefixed.req("/api/auth/login", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify(await createUser(prefixed, { isAdmin: true }).then((u) => ({ email: u.email, password: u.password }))),
      })).json()) as { access_token: string };
      expect((await prefixed.req("/api/admin/oauth-providers/okta", {
        method: "PUT", headers: { "content-type": "application/json", ...bearer(token.access_token) },
        body: JSON.stringify({ type: "oidc", name: "Okta", enabled: true, client_id: okta.clientId, client_secret: okta.clientSecret, issuer_url: okta.issuer }),
      })).status).toBe(201);
      const started = await prefixed.req("/api/auth/oauth/okta?redirect_uri=/auth/callback");
      expect(started.status).toBe(307);
      const authorize = new URL(started.headers.get("location")!);
      expect(authorize.searchParams.get("redirect_uri")).toBe("http://localhost/api/auth/oauth/okta/callback");
      expect(started.headers.getSetCookie().find((c) => c.startsWith(`${BINDING}=`))).toContain("Path=/api/auth/oauth");
      okta.user = { sub: "prefixed-1", email: "prefixed@example.com", email_verified: true };
      const back = await atIdp(authorize);
      expect(back.pathname).toBe("/api/auth/oauth/okta/callback");
      const landed = landing(await prefixed.req(`${back.pathname}${back.search}`, { headers: { cookie: `${BINDING}=${cookieValue(started, BINDING)}` } }));
      expect(landed.fragment.get("access_token")).toBeString();
      expect(landed.response.headers.getSetCookie().find((c) => c.startsWith("imbi_refresh_token="))).toContain("Path=/api/auth");
    } finally {
      await prefixed.close();
    }
  });
});
