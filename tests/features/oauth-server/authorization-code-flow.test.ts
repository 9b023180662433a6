/**
 * The authorization-code flow end to end with oauth4webapi as a strict client: discovery,
 * registration, PKCE, the login bounce through the SPA (password + MFA), consent once,
 * code, token bound to a resource, refresh rotation and reuse detection; and every way the
 * flow must refuse.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as oauth from "oauth4webapi";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, type TestUser } from "../../helpers/identity.ts";
import { overrideOAuthServer } from "../../../src/features/oauth-server/overrides.ts";
import { claimsOf, FORM, type ErrorBody } from "./fixtures.ts";
import {
  answerConsent, API_RESOURCE, API_URL, authorizationRequest, Browser, discover, enrolMfa, ISSUER, MCP_RESOURCE,
  REDIRECT_URI, registerClient, strictOptions,
} from "./as-fixtures.ts";

let t: TestApp;
let as: oauth.AuthorizationServer;
/** Logs in with password only: TOTP codes are single-use, so MFA logins happen once (the first test). */
let user: TestUser;
let mfaUser: TestUser;
let mfaSecret: string;

beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: API_URL });
  as = await discover(t);
  const org = await createOrg(t);
  user = await createUser(t, { org });
  mfaUser = await createUser(t, { org });
  mfaSecret = await enrolMfa(t, mfaUser);
});
afterAll(() => t.close());

const none = oauth.None();

/** Logs in through the SPA bounce (if needed), consents when asked, returns the redirect to the client. */
async function authorizeInBrowser(browser: Browser, url: string): Promise<URL> {
  let response = await browser.fetch(url);
  if (response.status === 302 && new URL(response.headers.get("location")!).pathname === "/login") {
    const returnTo = new URL(response.headers.get("location")!).searchParams.get("return_to")!;
    await browser.login(user);
    response = await browser.fetch(returnTo);
  }
  if (response.status === 200) response = await answerConsent(browser, response, "approve");
  expect([302, 303]).toContain(response.status);
  return new URL(response.headers.get("location")!);
}

async function exchange(client: oauth.Client, callback: URL, verifier: string, state: string, resource = MCP_RESOURCE) {
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, none, params, REDIRECT_URI, verifier, {
    ...strictOptions(t), additionalParameters: { resource },
  });
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

async function tokenForm(params: Record<string, string>) {
  return t.req("/api/auth/token", { method: "POST", headers: FORM, body: new URLSearchParams(params).toString() });
}

async function expectOAuthError(response: Response, error: string) {
  expect(response.status).toBe(400);
  expect(((await response.json()) as ErrorBody).error).toBe(error);
}

describe("the whole flow", () => {
  test("DCR client: login bounce with MFA, consent once, code, token for /mcp, refresh rotation, reuse detection", async () => {
    const registered = await registerClient(t);
    const client: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: "none" };
    const browser = new Browser(t);

    // No session: bounced to the SPA's login, which will send the browser back here.
    const request = await authorizationRequest(as, client.client_id);
    const bounce = await browser.fetch(request.url);
    expect(bounce.status).toBe(302);
    const login = new URL(bounce.headers.get("location")!);
    expect(login.origin + login.pathname).toBe("http://imbi.test/login");
    expect(login.searchParams.get("return_to")).toBe(request.url);

    // Logged in (password, then MFA): the consent page names the client.
    const mfaRequired = await browser.fetch("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: mfaUser.email, password: mfaUser.password }) });
    expect(mfaRequired.headers.get("x-mfa-required")).toBe("true");
    await browser.login(mfaUser, mfaSecret);
    const page = await browser.fetch(login.searchParams.get("return_to")!);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.clone().text();
    expect(html).toContain("Test MCP client");
    expect(html).toContain(mfaUser.email);

    const answer = await answerConsent(browser, page, "approve");
    expect(answer.status).toBe(303);
    const callback = new URL(answer.headers.get("location")!);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("iss")).toBe(ISSUER);

    const tokens = await exchange(client, callback, request.verifier, request.state);
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("imbi");
    const claims = claimsOf(tokens.access_token);
    expect(claims).toMatchObject({ sub: mfaUser.email, aud: MCP_RESOURCE, client_id: client.client_id, auth_method: "oauth", type: "access" });

    // A token for /mcp is not a token for the API.
    const refused = await t.req("/api/users/me", { headers: bearer(tokens.access_token) });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toBe("Token was issued for another resource");

    // Consent is remembered: the second authorization goes straight back with a code.
    const again = await authorizationRequest(as, client.client_id);
    const direct = await browser.fetch(again.url);
    expect(direct.status).toBe(302);
    expect(new URL(direct.headers.get("location")!).searchParams.get("code")).toBeTruthy();

    // Rotation: a new pair, same audience and client; the old refresh token is spent.
    const rotatedResponse = await oauth.refreshTokenGrantRequest(as, client, none, tokens.refresh_token!, strictOptions(t));
    const rotated = await oauth.processRefreshTokenResponse(as, client, rotatedResponse);
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(claimsOf(rotated.access_token)).toMatchObject({ aud: MCP_RESOURCE, client_id: client.client_id });

    // Reuse of the spent token: refused, and the whole family (the rotated pair too) is revoked.
    const reuse = await tokenForm({ grant_type: "refresh_token", client_id: client.client_id, refresh_token: tokens.refresh_token! });
    await expectOAuthError(reuse, "invalid_grant");
    const afterReuse = await tokenForm({ grant_type: "refresh_token", client_id: client.client_id, refresh_token: rotated.refresh_token! });
    await expectOAuthError(afterReuse, "invalid_grant");
  });

  test("a token for the API works on the API (and carries the API as audience)", async () => {
    const { client_id } = await registerClient(t);
    const client: oauth.Client = { client_id, token_endpoint_auth_method: "none" };
    const browser = new Browser(t);
    const request = await authorizationRequest(as, client_id, { resource: API_RESOURCE });
    const callback = await authorizeInBrowser(browser, request.url);
    const tokens = await exchange(client, callback, request.verifier, request.state, API_RESOURCE);
    expect(claimsOf(tokens.access_token).aud).toBe(API_RESOURCE);
    const me = await t.req("/api/users/me", { headers: bearer(tokens.access_token) });
    expect(me.status).toBe(200);
    // A client's token is not a login session: it cannot authorize (another) client.
    const next = await authorizationRequest(as, client_id);
    const bounced = await t.app.handle(new Request(next.url, { headers: bearer(tokens.access_token) }));
    expect(bounced.status).toBe(302);
    expect(new URL(bounced.headers.get("location")!).pathname).toBe("/login");
  });

  test("without a resource the token is for the API", async () => {
    const { client_id } = await registerClient(t);
    const browser = new Browser(t);
    const request = await authorizationRequest(as, client_id, { resource: "" });
    const callback = await authorizeInBrowser(browser, request.url);
    const response = await tokenForm({
      grant_type: "authorization_code", client_id, code: callback.searchParams.get("code")!, redirect_uri: REDIRECT_URI, code_verifier: request.verifier,
    });
    expect(response.status).toBe(200);
    expect(claimsOf(((await response.json()) as { access_token: string }).access_token).aud).toBe(API_RESOURCE);
  });

  test("denying consent sends access_denied back, and nothing is remembered", async () => {
    const { client_id } = await registerClient(t);
    const browser = new Browser(t);
    await browser.login(user);
    const request = await authorizationRequest(as, client_id);
    const page = await browser.fetch(request.url);
    expect(page.status).toBe(200);
    const answer = await answerConsent(browser, page, "deny");
    const callback = new URL(answer.headers.get("location")!);
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe(request.state);
    expect(callback.searchParams.get("iss")).toBe(ISSUER);
    expect((await browser.fetch(request.url)).status).toBe(200);
  });
});

describe("refusals", () => {
  async function freshCode(extra: Record<string, string> = {}) {
    const { client_id } = await registerClient(t);
    const browser = new Browser(t);
    const request = await authorizationRequest(as, client_id, extra);
    const callback = await authorizeInBrowser(browser, request.url);
    return { client_id, browser, request, code: callback.searchParams.get("code")! };
  }
  const redeem = (client_id: string, code: string, code_verifier: string, redirect_uri = REDIRECT_URI) =>
    tokenForm({ grant_type: "authorization_code", client_id, code, redirect_uri, code_verifier, resource: MCP_RESOURCE });

  test("a wrong PKCE verifier → invalid_grant, and the code is spent", async () => {
    const { client_id, code, request } = await freshCode();
    await expectOAuthError(await redeem(client_id, code, oauth.generateRandomCodeVerifier()), "invalid_grant");
    await expectOAuthError(await redeem(client_id, code, request.verifier), "invalid_grant");
  });

  test("a reused code → invalid_grant, and the tokens it issued are revoked", async () => {
    const { client_id, code, request } = await freshCode({ resource: API_RESOURCE });
    const first = await tokenForm({ grant_type: "authorization_code", client_id, code, redirect_uri: REDIRECT_URI, code_verifier: request.verifier });
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect((await t.req("/api/users/me", { headers: bearer(tokens.access_token) })).status).toBe(200);

    const replay = await tokenForm({ grant_type: "authorization_code", client_id, code, redirect_uri: REDIRECT_URI, code_verifier: request.verifier });
    await expectOAuthError(replay, "invalid_grant");
    expect((await t.req("/api/users/me", { headers: bearer(tokens.access_token) })).status).toBe(401);
    await expectOAuthError(await tokenForm({ grant_type: "refresh_token", client_id, refresh_token: tokens.refresh_token }), "invalid_grant");
  });

  test("a code redeemed by another client → invalid_grant", async () => {
    const { code, request } = await freshCode();
    const other = await registerClient(t);
    await expectOAuthError(await redeem(other.client_id, code, request.verifier), "invalid_grant");
  });

  test("a redirect_uri at the token endpoint differing from the authorization request → invalid_grant", async () => {
    const { client_id, code, request } = await freshCode();
    await expectOAuthError(await redeem(client_id, code, request.verifier, "http://127.0.0.1:43111/other"), "invalid_grant");
  });

  test("a resource at the token endpoint differing from the authorization request → invalid_target", async () => {
    const { client_id, code, request } = await freshCode();
    const response = await tokenForm({
      grant_type: "authorization_code", client_id, code, redirect_uri: REDIRECT_URI, code_verifier: request.verifier, resource: API_RESOURCE,
    });
    await expectOAuthError(response, "invalid_target");
  });

  test("an expired code → invalid_grant", async () => {
    overrideOAuthServer(t.ctx, { codeTtlMs: 200 });
    try {
      const { client_id, code, request } = await freshCode();
      await Bun.sleep(400);
      await expectOAuthError(await redeem(client_id, code, request.verifier), "invalid_grant");
    } finally {
      overrideOAuthServer(t.ctx, { codeTtlMs: undefined });
    }
  });

  test("a code exchange with a client secret → invalid_client", async () => {
    const { client_id, code, request } = await freshCode();
    const response = await tokenForm({
      grant_type: "authorization_code", client_id, client_secret: "x", code, redirect_uri: REDIRECT_URI, code_verifier: request.verifier,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toBe("invalid_client");
  });

  test.each([
    ["code", "Missing code parameter"],
    ["redirect_uri", "Missing redirect_uri parameter"],
    ["code_verifier", "Missing code_verifier parameter"],
    ["client_id", "Missing client_id parameter"],
  ])("authorization_code without %s → invalid_request", async (missing, description) => {
    const params: Record<string, string> = { grant_type: "authorization_code", client_id: "mcp_x", code: "c", redirect_uri: REDIRECT_URI, code_verifier: "v".repeat(43) };
    delete params[missing];
    const response = await tokenForm(params);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_request", error_description: description });
  });

  test("a malformed code_verifier → invalid_request", async () => {
    await expectOAuthError(await tokenForm({ grant_type: "authorization_code", client_id: "mcp_x", code: "c", redirect_uri: REDIRECT_URI, code_verifier: "short" }), "invalid_request");
  });

  test("an unknown code → invalid_grant", async () => {
    await expectOAuthError(await redeem("mcp_x", "nope", "v".repeat(43)), "invalid_grant");
  });

  test("a refresh token of a password login is not an OAuth client's", async () => {
    const { client_id } = await registerClient(t);
    const spa = (await (await t.req("/api/auth/login", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    })).json()) as { refresh_token: string };
    await expectOAuthError(await tokenForm({ grant_type: "refresh_token", client_id, refresh_token: spa.refresh_token }), "invalid_grant");
  });

  test("a refresh token presented by another client → invalid_grant", async () => {
    const { code, request, client_id } = await freshCode();
    const tokens = (await (await redeem(client_id, code, request.verifier)).json()) as { refresh_token: string };
    const other = await registerClient(t);
    await expectOAuthError(await tokenForm({ grant_type: "refresh_token", client_id: other.client_id, refresh_token: tokens.refresh_token }), "invalid_grant");
    // Still usable by its own client: the foreign attempt did not spend it.
    expect((await tokenForm({ grant_type: "refresh_token", client_id, refresh_token: tokens.refresh_token })).status).toBe(200);
  });

  test("garbage refresh token → invalid_grant; missing → invalid_request", async () => {
    await expectOAuthError(await tokenForm({ grant_type: "refresh_token", client_id: "mcp_x", refresh_token: "garbage" }), "invalid_grant");
    await expectOAuthError(await tokenForm({ grant_type: "refresh_token", client_id: "mcp_x" }), "invalid_request");
  });
});

describe("GET /auth/authorize: refusals", () => {
  let clientId: string;
  let browser: Browser;
  beforeAll(async () => {
    clientId = (await registerClient(t)).client_id;
    browser = new Browser(t);
    await browser.login(user);
  });

  async function errorRedirect(extra: Record<string, string>) {
    const request = await authorizationRequest(as, clientId, extra);
    const response = await browser.fetch(request.url);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get("state")).toBe(request.state);
    expect(location.searchParams.get("iss")).toBe(ISSUER);
    expect(location.searchParams.get("code")).toBeNull();
    return location.searchParams.get("error");
  }

  test("plain PKCE → invalid_request", async () => {
    expect(await errorRedirect({ code_challenge_method: "plain", code_challenge: "x".repeat(43) })).toBe("invalid_request");
  });

  test("no code_challenge_method (OAuth's default is plain) → invalid_request", async () => {
    expect(await errorRedirect({ code_challenge_method: "" })).toBe("invalid_request");
  });

  test("no or malformed code_challenge → invalid_request", async () => {
    expect(await errorRedirect({ code_challenge: "" })).toBe("invalid_request");
    expect(await errorRedirect({ code_challenge: "short" })).toBe("invalid_request");
  });

  test("response_type other than code → unsupported_response_type", async () => {
    expect(await errorRedirect({ response_type: "token" })).toBe("unsupported_response_type");
  });

  test("unknown scope → invalid_scope", async () => {
    expect(await errorRedirect({ scope: "imbi admin" })).toBe("invalid_scope");
  });

  test("a resource this server does not protect → invalid_target", async () => {
    expect(await errorRedirect({ resource: "https://elsewhere.example/mcp" })).toBe("invalid_target");
  });

  test("a repeated parameter → invalid_request", async () => {
    const request = await authorizationRequest(as, clientId);
    const response = await browser.fetch(`${request.url}&scope=imbi`);
    expect(new URL(response.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  test("a foreign redirect URI → 400 here, never a redirect", async () => {
    for (const redirect_uri of ["https://attacker.example/callback", "http://127.0.0.1:43111/callback/../other", "http://localhost:43111/callback", `${REDIRECT_URI}?x=1`]) {
      const request = await authorizationRequest(as, clientId, { redirect_uri });
      const response = await browser.fetch(request.url);
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(await response.json()).toEqual({ detail: "redirect_uri not registered for this client" });
    }
  });

  test("a loopback IP redirect URI may use another port (RFC 8252 §7.3)", async () => {
    const request = await authorizationRequest(as, clientId, { redirect_uri: "http://127.0.0.1:50123/callback" });
    const response = await browser.fetch(request.url);
    expect(response.status).toBe(200);
  });

  test("an unknown or missing client_id → 400", async () => {
    for (const client_id of ["mcp_unknown", "", "not-a-client"]) {
      const request = await authorizationRequest(as, clientId, { client_id });
      const response = await browser.fetch(request.url);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ detail: "Unknown client_id" });
    }
  });

  test("an API key is not a login session: bounced to login", async () => {
    const request = await authorizationRequest(as, clientId);
    const response = await t.app.handle(new Request(request.url, { headers: bearer("ik_" + "0".repeat(32) + "_" + "x".repeat(30)) }));
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("location")!).pathname).toBe("/login");
  });
});

describe("POST /auth/authorize (the consent form)", () => {
  test("without a session → 401; an unknown ticket → 400; a bad decision → 400; wrong content type → 415", async () => {
    const browser = new Browser(t);
    const post = (body: string, type = "application/x-www-form-urlencoded") =>
      browser.fetch("/api/auth/authorize", { method: "POST", headers: { "content-type": type }, body });
    expect((await post("ticket=x&decision=approve")).status).toBe(401);
    await browser.login(user);
    expect((await post("ticket=x&decision=approve")).status).toBe(400);
    expect((await post("ticket=x&decision=maybe")).status).toBe(400);
    expect((await post("{}", "application/json")).status).toBe(415);
  });

  test("another user's ticket is refused (and spent)", async () => {
    const { client_id } = await registerClient(t);
    const owner = new Browser(t);
    await owner.login(user);
    const page = await owner.fetch((await authorizationRequest(as, client_id)).url);
    const html = await page.text();
    const ticket = /name="ticket" value="([^"]+)"/.exec(html)![1]!;
    const intruder = new Browser(t);
    await intruder.login(await createUser(t));
    const stolen = await intruder.fetch("/api/auth/authorize", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ticket, decision: "approve" }).toString(),
    });
    expect(stolen.status).toBe(400);
    const late = await owner.fetch("/api/auth/authorize", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ticket, decision: "approve" }).toString(),
    });
    expect(late.status).toBe(400);
  });
});
