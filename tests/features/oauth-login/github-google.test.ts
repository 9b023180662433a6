/**
 * The GitHub and Google login paths against fake servers over real HTTP: GitHub's web flow
 * and user/verified-email APIs (as GitHub Enterprise Server lays them out), Google's OIDC
 * with its `allowed_domains` gate.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createUser, login } from "../../helpers/identity.ts";
import { startFakeGithub, startFakeOidc, type FakeGithub, type FakeOidc } from "../../helpers/fake-idp.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { LOGIN_ENV, loginThrough, putProvider, start } from "./flow.ts";

let t: TestApp;
let github: FakeGithub;
let google: FakeOidc;
let admin: string;
const events: DomainEvent[] = [];
const reason = () => events.filter((e) => e.type === "oauth_login.failed").at(-1)?.detail?.reason;

beforeAll(async () => {
  t = await startTestApp(LOGIN_ENV);
  t.ctx.events.subscribe((e) => void events.push(e));
  [github, google] = await Promise.all([startFakeGithub(), startFakeOidc({ google: true, clientId: "g-client.apps", clientSecret: "g-secret" })]);
  admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  expect((await putProvider(t, admin, "github", {
    type: "github", name: "GitHub", enabled: true, client_id: github.clientId, client_secret: github.clientSecret, issuer_url: github.url,
  })).status).toBe(201);
  expect((await putProvider(t, admin, "google", {
    type: "google", name: "Google", enabled: true, client_id: google.clientId, client_secret: google.clientSecret,
    issuer_url: google.issuer, allowed_domains: ["example.com"],
  })).status).toBe(201);
});
afterAll(async () => {
  github.close();
  google.close();
  await t.close();
});

describe("GitHub", () => {
  test("the web flow with state and PKCE; the primary verified email from /user/emails; the token stored encrypted", async () => {
    const { authorize } = await start(t, "github");
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get("scope")).toBe("read:user user:email");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe("http://localhost/auth/oauth/github/callback");

    github.user = {
      id: 4242, login: "octo", name: null, avatar_url: "https://avatars.example/octo",
      emails: [{ email: "octo-old@example.com", primary: false, verified: true }, { email: "octo@example.com", primary: true, verified: true }],
    };
    const landed = await loginThrough(t, "github");
    const me = await t.req("/users/me", { headers: bearer(landed.fragment.get("access_token")!) });
    expect(await me.json()).toMatchObject({ email: "octo@example.com", display_name: "octo", avatar_url: "https://avatars.example/octo" });
    const [identity] = await t.infra.sql<{ subject: string; access_token_encrypted: string }[]>`
      select subject, access_token_encrypted from oauth_identities where provider_slug = 'github'`;
    expect(identity!.subject).toBe("4242");
    expect(identity!.access_token_encrypted).not.toContain("gho_");
    expect(t.ctx.fernet.decryptText(identity!.access_token_encrypted)).toStartWith("gho_");
  });

  test("an account without a verified primary email cannot sign in", async () => {
    github.user = { id: 5, login: "nomail", name: "No Mail", emails: [{ email: "nomail@example.com", primary: true, verified: false }] };
    const landed = await loginThrough(t, "github");
    expect(landed.query.get("error")).toBe("authentication_failed");
    expect(reason()).toBe("email_missing");
  });

  test("a client secret GitHub refuses → fails (GitHub answers 200 with an error field)", async () => {
    await putProvider(t, admin, "github", {
      type: "github", name: "GitHub", enabled: true, client_id: github.clientId, client_secret: "rotated-wrongly", issuer_url: github.url,
    });
    try {
      github.user = { id: 6, login: "x", name: "X", emails: [{ email: "x@example.com", primary: true, verified: true }] };
      expect((await loginThrough(t, "github")).query.get("error")).toBe("authentication_failed");
      expect(reason()).toBe("provider_error");
      expect(github.refusals.at(-1)).toBe("incorrect_client_credentials");
    } finally {
      await putProvider(t, admin, "github", {
        type: "github", name: "GitHub", enabled: true, client_id: github.clientId, client_secret: github.clientSecret, issuer_url: github.url,
      });
    }
  });
});

describe("Google", () => {
  test("OIDC against Google's issuer: ID token verified, hd hint for the one allowed domain", async () => {
    const { authorize } = await start(t, "google");
    expect(authorize.origin).toBe(google.issuer);
    expect(authorize.searchParams.get("hd")).toBe("example.com");
    expect(authorize.searchParams.get("nonce")).toBeString();

    google.user = { sub: "1098765", email: "Ada@Example.COM", email_verified: true, name: "Ada", picture: "https://lh3.example/ada" };
    const landed = await loginThrough(t, "google");
    const me = await t.req("/users/me", { headers: bearer(landed.fragment.get("access_token")!) });
    expect(await me.json()).toMatchObject({ email: "Ada@Example.COM", display_name: "Ada" });
  });

  test("allowed_domains is enforced server-side (the hd hint is only a hint)", async () => {
    google.user = { sub: "2000", email: "mallory@other.example", email_verified: true, name: "Mallory" };
    const landed = await loginThrough(t, "google");
    expect(landed.query.get("error")).toBe("authentication_failed");
    expect(reason()).toBe("domain_not_allowed");
    expect((await t.infra.sql`select 1 from users where email = 'mallory@other.example'`).length).toBe(0);
  });

  test("a subdomain is not the domain", async () => {
    google.user = { sub: "2001", email: "eve@evil.example.com", email_verified: true };
    expect((await loginThrough(t, "google")).query.get("error")).toBe("authentication_failed");
    expect(reason()).toBe("domain_not_allowed");
  });

  test("an empty allowed_domains admits every domain", async () => {
    await putProvider(t, admin, "google", {
      type: "google", name: "Google", enabled: true, client_id: google.clientId, issuer_url: google.issuer, allowed_domains: [],
    });
    google.user = { sub: "2002", email: "anyone@anywhere.example", email_verified: true };
    expect((await loginThrough(t, "google")).fragment.get("access_token")).toBeString();
  });
});
