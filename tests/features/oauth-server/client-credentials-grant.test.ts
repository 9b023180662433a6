/** POST /auth/token grant_type=client_credentials (RFC 6749 §4.4, client authentication §2.3.1). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createClientCredential, createOrg, createServiceAccount } from "../../helpers/identity.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { basic, claimsOf, tokenRequest, type ErrorBody, type TokenBody } from "./fixtures.ts";

let t: TestApp;
let org: { id: string; slug: string };
const events: DomainEvent[] = [];

beforeAll(async () => {
  t = await startTestApp();
  t.ctx.events.subscribe((e) => void events.push(e));
  org = await createOrg(t);
});
afterAll(() => t.close());

/** A service account holding every permission in `org` (the admin role), with one credential. */
async function client(options: Parameters<typeof createClientCredential>[2] & { isActive?: boolean } = {}) {
  const account = await createServiceAccount(t, { org, role: "admin", isActive: options.isActive });
  return { account, ...(await createClientCredential(t, account.id, options)) };
}

const grant = (clientId: string, clientSecret: string, extra: Record<string, string> = {}) =>
  tokenRequest(t, { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, ...extra });

async function expectError(response: Response, status: number, error: string, description?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = (await response.json()) as ErrorBody;
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe("string");
  if (description) expect(body.error_description).toBe(description);
  expect(body).not.toHaveProperty("detail");
}

describe("grant_type=client_credentials: success", () => {
  test("client_secret_post → 200 token response with no-store", async () => {
    const { account, clientId, clientSecret } = await client();
    const response = await grant(clientId, clientSecret);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = (await response.json()) as TokenBody;
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 3600, scope: null });
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    const claims = claimsOf(body.access_token);
    expect(claims).toMatchObject({ sub: account.slug, type: "access", auth_method: "client_credentials" });
    expect(claims).not.toHaveProperty("scope");
  });

  test("client_secret_basic → 200", async () => {
    const { clientId, clientSecret } = await client();
    const response = await tokenRequest(t, { grant_type: "client_credentials" }, basic(clientId, clientSecret));
    expect(response.status).toBe(200);
  });

  test("Basic may repeat the same client_id in the body", async () => {
    const { clientId, clientSecret } = await client();
    expect((await tokenRequest(t, { grant_type: "client_credentials", client_id: clientId }, basic(clientId, clientSecret))).status).toBe(200);
  });

  test("the access token authenticates as the service account", async () => {
    const { clientId, clientSecret } = await client();
    const { access_token } = (await (await grant(clientId, clientSecret)).json()) as TokenBody;
    expect((await t.req("/service-accounts", { headers: bearer(access_token) })).status).toBe(200);
  });

  test("stamps client_credentials.last_used and service_accounts.last_authenticated; emits token.issued", async () => {
    const { account, clientId, clientSecret } = await client();
    await grant(clientId, clientSecret);
    const [row] = await t.infra.sql<{ last_used: Date | null; last_authenticated: Date | null }[]>`
      select c.last_used, a.last_authenticated from client_credentials c join service_accounts a on a.id = c.service_account_id
      where c.client_id = ${clientId}`;
    expect(row!.last_used).not.toBeNull();
    expect(row!.last_authenticated).not.toBeNull();
    const event = events.find((e) => e.type === "token.issued" && e.detail?.client_id === clientId);
    expect(event).toMatchObject({ actor_type: "service_account", actor_id: account.id });
    expect(JSON.stringify(event)).not.toContain(clientSecret);
  });
});

describe("grant_type=client_credentials: client authentication failures", () => {
  test("a wrong secret → 400 invalid_client", async () => {
    const { clientId } = await client();
    const response = await grant(clientId, "wrong-secret");
    await expectError(response, 400, "invalid_client", "Invalid client credentials");
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(events.some((e) => e.type === "token.failed" && e.detail?.error === "invalid_client")).toBe(true);
  });

  test("an unknown client → 400 invalid_client", async () => {
    await expectError(await grant("cc_doesnotexist0000000000", "secret"), 400, "invalid_client", "Invalid client credentials");
  });

  test.each([
    ["no client_id nor secret", {}],
    ["a client_id without a secret", { client_id: "cc_x" }],
    ["a secret without a client_id", { client_secret: "s" }],
  ])("%s → 400 invalid_client", async (_, params) => {
    await expectError(await tokenRequest(t, { grant_type: "client_credentials", ...params }), 400, "invalid_client");
  });

  test("a revoked credential → invalid_client", async () => {
    const { clientId, clientSecret } = await client({ revoked: true });
    await expectError(await grant(clientId, clientSecret), 400, "invalid_client", "Client credential has been revoked");
  });

  test("a revoked credential with a wrong secret says nothing about revocation", async () => {
    const { clientId } = await client({ revoked: true });
    await expectError(await grant(clientId, "wrong"), 400, "invalid_client", "Invalid client credentials");
  });

  test("an expired credential → invalid_client", async () => {
    const { clientId, clientSecret } = await client();
    expect((await grant(clientId, clientSecret)).status).toBe(200);
    await t.infra.sql`update client_credentials set expires_at = now() - interval '1 second' where client_id = ${clientId}`;
    await expectError(await grant(clientId, clientSecret), 400, "invalid_client", "Client credential has expired");
  });

  test("an inactive service account → invalid_client", async () => {
    const { clientId, clientSecret } = await client({ isActive: false });
    await expectError(await grant(clientId, clientSecret), 400, "invalid_client", "Service account is inactive");
  });

  test("Basic with a wrong secret → 401 with a Basic challenge", async () => {
    const { clientId } = await client();
    const response = await tokenRequest(t, { grant_type: "client_credentials" }, basic(clientId, "wrong"));
    await expectError(response, 401, "invalid_client", "Invalid client credentials");
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic\b/);
  });

  test.each([
    ["not base64", "Basic %%%"],
    ["no colon", `Basic ${Buffer.from("justanid").toString("base64")}`],
    ["bad percent-encoding", `Basic ${Buffer.from("%ZZ:secret").toString("base64")}`],
  ])("malformed Basic (%s) → 401 invalid_client", async (_, authorization) => {
    const response = await tokenRequest(t, { grant_type: "client_credentials" }, { authorization });
    await expectError(response, 401, "invalid_client");
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic\b/);
  });

  test("Basic and client_secret in the body together → invalid_request", async () => {
    const { clientId, clientSecret } = await client();
    const response = await tokenRequest(t, { grant_type: "client_credentials", client_secret: clientSecret }, basic(clientId, clientSecret));
    await expectError(response, 400, "invalid_request");
  });

  test("Basic with a different client_id in the body → invalid_request", async () => {
    const { clientId, clientSecret } = await client();
    const response = await tokenRequest(t, { grant_type: "client_credentials", client_id: "cc_other" }, basic(clientId, clientSecret));
    await expectError(response, 400, "invalid_request");
  });
});

describe("grant_type=client_credentials: scope", () => {
  test("no scope requested → the credential's scopes, sorted", async () => {
    const { clientId, clientSecret } = await client({ scopes: ["service_account:read", "project:read"] });
    const body = (await (await grant(clientId, clientSecret)).json()) as TokenBody;
    expect(body.scope).toBe("project:read service_account:read");
    expect(claimsOf(body.access_token).scope).toBe("project:read service_account:read");
  });

  test("a subset of the credential's scopes → exactly that subset", async () => {
    const { clientId, clientSecret } = await client({ scopes: ["service_account:read", "project:read"] });
    const body = (await (await grant(clientId, clientSecret, { scope: "project:read" })).json()) as TokenBody;
    expect(body.scope).toBe("project:read");
  });

  test("a scope outside the credential's → invalid_scope", async () => {
    const { clientId, clientSecret } = await client({ scopes: ["project:read"] });
    await expectError(await grant(clientId, clientSecret, { scope: "project:read team:read" }), 400, "invalid_scope",
      "Scope(s) not granted to this client: team:read");
  });

  test("an unscoped credential may ask for seeded permissions", async () => {
    const { clientId, clientSecret } = await client();
    const body = (await (await grant(clientId, clientSecret, { scope: "team:read  project:read" })).json()) as TokenBody;
    expect(body.scope).toBe("project:read team:read");
  });

  test("an unscoped credential asking for an unknown permission → invalid_scope", async () => {
    const { clientId, clientSecret } = await client();
    await expectError(await grant(clientId, clientSecret, { scope: "project:read made:up" }), 400, "invalid_scope", "Unknown scope(s): made:up");
  });

  test.each([["a double quote", 'project:"read'], ["a backslash", "project\\read"], ["a tab", "project:read\tteam:read"]])(
    "a scope with %s → invalid_scope", async (_, scope) => {
      const { clientId, clientSecret } = await client();
      await expectError(await grant(clientId, clientSecret, { scope }), 400, "invalid_scope");
    });

  test("the granted scope is enforced: project:read gets 403 where the account needs service_account:read", async () => {
    const { clientId, clientSecret } = await client();
    const narrow = (await (await grant(clientId, clientSecret, { scope: "project:read" })).json()) as TokenBody;
    const denied = await t.req("/service-accounts", { headers: bearer(narrow.access_token) });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ detail: "Permission denied: service_account:read required" });
    const wide = (await (await grant(clientId, clientSecret, { scope: "service_account:read" })).json()) as TokenBody;
    expect((await t.req("/service-accounts", { headers: bearer(wide.access_token) })).status).toBe(200);
  });

  test("a scope the account does not hold grants nothing", async () => {
    const account = await createServiceAccount(t, { org, role: "readonly" });
    const { clientId, clientSecret } = await createClientCredential(t, account.id);
    const body = (await (await grant(clientId, clientSecret, { scope: "service_account:read" })).json()) as TokenBody;
    expect((await t.req("/service-accounts", { headers: bearer(body.access_token) })).status).toBe(403);
  });

  test("refreshing a scoped client-credentials token keeps its scope", async () => {
    const { clientId, clientSecret } = await client();
    const narrow = (await (await grant(clientId, clientSecret, { scope: "project:read" })).json()) as TokenBody;
    const refreshed = await t.req("/auth/token/refresh", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: narrow.refresh_token }),
    });
    const { access_token } = (await refreshed.json()) as TokenBody;
    expect(claimsOf(access_token).scope).toBe("project:read");
    expect((await t.req("/service-accounts", { headers: bearer(access_token) })).status).toBe(403);
  });
});

describe("tokens issued with a credential end with it", () => {
  test.each([
    ["revoked", "DELETE", ""],
    ["rotated", "POST", "/rotate"],
  ])("%s credential → its access and refresh tokens stop working", async (_, method, suffix) => {
    const admin = await createServiceAccount(t, { org, role: "admin" });
    const { account, clientId, clientSecret } = await client();
    const issued = (await (await grant(clientId, clientSecret)).json()) as TokenBody;
    expect((await t.req("/service-accounts", { headers: bearer(issued.access_token) })).status).toBe(200);
    const adminCred = await createClientCredential(t, admin.id);
    const adminToken = ((await (await grant(adminCred.clientId, adminCred.clientSecret)).json()) as TokenBody).access_token;
    const change = await t.req(`/service-accounts/${account.slug}/client-credentials/${clientId}${suffix}`, { method, headers: bearer(adminToken) });
    expect(change.status).toBeLessThan(300);
    expect((await t.req("/service-accounts", { headers: bearer(issued.access_token) })).status).toBe(401);
    const refreshed = await t.req("/auth/token/refresh", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: issued.refresh_token }),
    });
    expect(refreshed.status).toBe(401);
  });
});
