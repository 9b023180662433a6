/**
 * Client ID Metadata Documents: an https client_id names its metadata, fetched through the
 * SSRF guard. The test server is https on loopback with a self-signed certificate; only
 * this test app trusts its CA and lets loopback through (overrides.ts, unreachable from
 * configuration). The SSRF cases run with the production guard.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as oauth from "oauth4webapi";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createOrg, createUser, type TestUser } from "../../helpers/identity.ts";
import { overrideOAuthServer } from "../../../src/features/oauth-server/overrides.ts";
import { isPublicAddress } from "../../../src/features/oauth-server/safe-fetch.ts";
import { claimsOf } from "./fixtures.ts";
import {
  answerConsent, API_URL, authorizationRequest, Browser, discover, MCP_RESOURCE, REDIRECT_URI, startMetadataServer, strictOptions,
  type MetadataServer,
} from "./as-fixtures.ts";

let t: TestApp;
let server: MetadataServer;
let as: oauth.AuthorizationServer;
let user: TestUser;
let browser: Browser;

const testFetcher = () => ({ allowAddress: (a: string) => a === "127.0.0.1" || a === "::1", ca: server.ca, timeoutMs: 500 });

beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: API_URL });
  server = startMetadataServer();
  as = await discover(t);
  user = await createUser(t, { org: await createOrg(t) });
  browser = new Browser(t);
  await browser.login(user);
});
afterAll(async () => {
  server.stop();
  await t.close();
});
beforeEach(() => overrideOAuthServer(t.ctx, { fetch: testFetcher() }));

let counter = 0;
/** Publishes a document at a fresh path (the cache is per URL) and returns its client_id. */
function publish(document: (clientId: string) => unknown, respond?: (body: string) => Response | Promise<Response>): string {
  const path = `/clients/${++counter}.json`;
  const clientId = `${server.origin}${path}`;
  const body = JSON.stringify(document(clientId));
  server.routes.set(path, () => (respond ? respond(body) : new Response(body, { headers: { "content-type": "application/json" } })));
  return clientId;
}
const goodDocument = (clientId: string) => ({ client_id: clientId, client_name: "Metadata Client", redirect_uris: [REDIRECT_URI] });

async function authorizeStatus(clientId: string): Promise<{ status: number; detail?: string }> {
  const request = await authorizationRequest(as, clientId);
  const response = await browser.fetch(request.url);
  return { status: response.status, detail: response.status === 400 ? ((await response.json()) as { detail: string }).detail : undefined };
}

describe("a metadata-document client", () => {
  test("completes the flow with oauth4webapi; the document is fetched once and cached", async () => {
    const clientId = publish(goodDocument);
    const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: "none" };
    const before = server.hits;
    const request = await authorizationRequest(as, clientId);
    const page = await browser.fetch(request.url);
    expect(page.status).toBe(200);
    expect(await page.clone().text()).toContain("Metadata Client");
    const answer = await answerConsent(browser, page, "approve");
    const params = oauth.validateAuthResponse(as, client, new URL(answer.headers.get("location")!), request.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, request.verifier, {
      ...strictOptions(t), additionalParameters: { resource: MCP_RESOURCE },
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(claimsOf(tokens.access_token)).toMatchObject({ client_id: clientId, aud: MCP_RESOURCE });

    expect((await authorizeStatus(clientId)).status).toBe(302);
    expect(server.hits - before).toBe(1);
  });

  test.each([
    ["a client_id in the document that is not its URL", () => publish((id) => ({ ...goodDocument(id), client_id: `${id}x` })), "client_id must equal its URL"],
    ["a redirect to elsewhere (never followed)", () => publish(goodDocument, () => new Response(null, { status: 302, headers: { location: "https://127.0.0.1/internal" } })), "redirects are not followed"],
    ["a 404", () => `${server.origin}/clients/missing.json`, "answered 404"],
    ["a body over the size limit", () => publish((id) => ({ ...goodDocument(id), pad: "x".repeat(20_000) })), "too large"],
    ["a body that is not JSON", () => publish(goodDocument, () => new Response("<html>", { headers: { "content-type": "text/html" } })), "not JSON"],
    ["a slow server", () => publish(goodDocument, async (body) => { await Bun.sleep(1500); return new Response(body); }), "timed out"],
    ["a confidential client", () => publish((id) => ({ ...goodDocument(id), token_endpoint_auth_method: "client_secret_basic" })), "public clients"],
    ["a plain-http public redirect URI", () => publish((id) => ({ ...goodDocument(id), redirect_uris: ["http://a.example/cb"] })), "must be https"],
    ["no redirect URIs", () => publish((id) => ({ client_id: id })), "redirect_uris is required"],
  ])("%s → 400, no redirect", async (_, make, message) => {
    const { status, detail } = await authorizeStatus(make());
    expect(status).toBe(400);
    expect(detail).toContain(message);
  });

  test.each([
    ["no path", () => server.origin, "must have a path"],
    ["a fragment", () => `${server.origin}/client.json#x`, "fragment"],
    ["dot segments", () => `${server.origin}/a/../client.json`, "dot segments"],
    ["encoded dot segments", () => `${server.origin}/a/%2e%2e/client.json`, "dot segments"],
    ["credentials", () => `https://user:pw@localhost:${new URL(server.origin).port}/client.json`, "credentials"],
  ])("a client_id URL with %s → 400 without fetching", async (_, make, message) => {
    const before = server.hits;
    const { status, detail } = await authorizeStatus(make());
    expect(status).toBe(400);
    expect(detail).toContain(message);
    expect(server.hits).toBe(before);
  });

  test("an http client_id is not a metadata document: unknown client", async () => {
    expect(await authorizeStatus(`http://localhost:${new URL(server.origin).port}/client.json`)).toEqual({ status: 400, detail: "Unknown client_id" });
  });
});

describe("SSRF: the production guard", () => {
  beforeEach(() => overrideOAuthServer(t.ctx, { fetch: undefined }));

  test.each([
    ["the test server by name (localhost resolves to loopback)", () => publish(goodDocument)],
    ["the test server by IP", () => publish(goodDocument).replace("localhost", "127.0.0.1")],
    ["IPv6 loopback", () => "https://[::1]/client.json"],
    ["IPv4-mapped loopback", () => "https://[::ffff:127.0.0.1]/client.json"],
    ["cloud metadata (link-local)", () => "https://169.254.169.254/latest/meta-data"],
    ["a private network", () => "https://10.1.2.3/client.json"],
    ["another private network", () => "https://192.168.0.10/client.json"],
    ["carrier-grade NAT", () => "https://100.64.0.1/client.json"],
    ["the unspecified address", () => "https://0.0.0.0/client.json"],
    ["an IPv6 unique-local address", () => "https://[fd00::1]/client.json"],
    ["an IPv6 link-local address", () => "https://[fe80::1]/client.json"],
  ])("%s → refused before any request", async (_, make) => {
    const before = server.hits;
    const { status, detail } = await authorizeStatus(make());
    expect(status).toBe(400);
    expect(detail).toMatch(/non-public address|not a public address/);
    expect(server.hits).toBe(before);
  });

  test("without the test CA the self-signed server is not trusted either", async () => {
    overrideOAuthServer(t.ctx, { fetch: { ...testFetcher(), ca: undefined } });
    const { status } = await authorizeStatus(publish(goodDocument));
    expect(status).toBe(400);
  });

  test("isPublicAddress", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) expect(isPublicAddress(address)).toBe(true);
    for (const address of ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.100.100.100", "0.0.0.0", "224.0.0.1",
      "255.255.255.255", "::1", "::", "::ffff:10.0.0.1", "fc00::1", "fe80::1", "64:ff9b::a00:1", "2002:a00:1::1", "not-an-ip"]) {
      expect(isPublicAddress(address)).toBe(false);
    }
  });
});
