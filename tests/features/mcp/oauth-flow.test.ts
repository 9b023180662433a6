/**
 * A standard MCP client that knows only the server's URL, end to end (issue 5, D5): the
 * SDK's client auth (an OAuthClientProvider) discovers the authorization server from the
 * 401 challenge and the protected-resource metadata, registers dynamically, sends the user
 * to /auth/authorize with PKCE and resource=<origin>/mcp, and — once the user has signed in
 * and approved — exchanges the code and calls tools with a token whose audience is /mcp.
 * The browser is played with fetch and the session cookie the sign-in sets. A second client
 * registers nothing: its client_id is the https URL of its metadata document, which the
 * server fetches (from a loopback TLS server this test app is told to trust).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { NO_EMBEDDINGS } from "./fixtures.ts";
import { createOrg, createUser, type TestUser } from "../../helpers/identity.ts";
import { createTeam } from "../../helpers/catalog-factories.ts";
import { overrideOAuthServer } from "../../../src/features/oauth-server/overrides.ts";
import { startMetadataServer, type MetadataServer } from "../oauth-server/as-fixtures.ts";

/** What an MCP client keeps between runs, and where it would open the browser. */
class TestClientProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier?: string;
  authorizationUrl?: URL;
  readonly expectedState = crypto.randomUUID();

  // A loopback redirect, as native MCP clients use; nothing listens: the test reads the Location.
  get redirectUrl() { return "http://127.0.0.1:33418/callback"; }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "MCP flow test", redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none",
    };
  }
  state() { return this.expectedState; }
  clientInformation() { return this.client; }
  saveClientInformation(client: OAuthClientInformationMixed) { this.client = client; }
  tokens() { return this.saved; }
  saveTokens(tokens: OAuthTokens) { this.saved = tokens; }
  redirectToAuthorization(url: URL) { this.authorizationUrl = url; }
  saveCodeVerifier(verifier: string) { this.verifier = verifier; }
  codeVerifier() { return this.verifier!; }
}

/** A client identified by its Client ID Metadata Document instead of a registration. */
class MetadataDocumentClientProvider extends TestClientProvider {
  constructor(readonly clientMetadataUrl: string) {
    super();
  }
}

let t: TestApp;
let metadataServer: MetadataServer;
let origin: string;
let user: TestUser;
let org: { id: string; slug: string };

/** A port the test app can be given in IMBI_API_URL before it listens on it. */
function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

beforeAll(async () => {
  const port = freePort();
  origin = `http://127.0.0.1:${port}`;
  // The SPA's layout: the API under /api, so the issuer has a path (RFC 8414 path-inserted discovery).
  t = await startTestApp({ ...NO_EMBEDDINGS, IMBI_API_URL: `${origin}/api` });
  t.app.listen({ hostname: "127.0.0.1", port });
  org = await createOrg(t);
  user = await createUser(t, { org, role: "readonly" });
  await createTeam(t, org.id, { name: "Payments" });
  metadataServer = startMetadataServer();
  overrideOAuthServer(t.ctx, { fetch: { allowAddress: (a) => a === "127.0.0.1" || a === "::1", ca: metadataServer.ca } });
});

afterAll(async () => {
  metadataServer.stop();
  await t.app.stop(true);
  await t.close();
});

/** The browser's sign-in through the SPA: POST /api/auth/login, keeping the access cookie it sets. */
async function signIn(): Promise<string> {
  const response = await fetch(`${origin}/api/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: user.email, password: user.password }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("imbi_access_token="));
  expect(cookie).toBeDefined();
  return cookie!.split(";")[0]!;
}

/** The browser leg: bounce to the login, sign in, come back, approve; → the client's callback URL. */
async function browse(authorizationUrl: URL): Promise<URL> {
  const anonymous = await fetch(authorizationUrl, { redirect: "manual" });
  expect(anonymous.status).toBe(302);
  const login = new URL(anonymous.headers.get("location")!);
  expect(`${login.origin}${login.pathname}`).toBe(`${origin}/login`);
  const returnTo = login.searchParams.get("return_to")!;

  const cookie = await signIn();
  const consent = await fetch(returnTo, { redirect: "manual", headers: { cookie } });
  expect(consent.status).toBe(200);
  const html = await consent.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&");
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)![1]!;
  const decided = await fetch(action, {
    method: "POST", redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ticket, decision: "approve" }),
  });
  expect(decided.status).toBe(303);
  return new URL(decided.headers.get("location")!);
}

describe("MCP client OAuth flow (SDK client auth)", () => {
  /** Steps 1-3 for `provider`; returns the connected client. */
  async function runFlow(provider: TestClientProvider): Promise<Client> {
    const mcpUrl = new URL(`${origin}/mcp`);

    // 1. Unauthenticated: the SDK follows the challenge, discovers, registers, and "opens the browser".
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(new Client({ name: "flow", version: "1" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    const authorizationUrl = provider.authorizationUrl!;
    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${origin}/api/auth/authorize`);
    expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
      response_type: "code", client_id: provider.client!.client_id, code_challenge_method: "S256",
      redirect_uri: provider.redirectUrl, resource: `${origin}/mcp`, state: provider.expectedState,
    });

    // 2. The user signs in and approves; the browser lands on the client's callback.
    const callback = await browse(authorizationUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe(provider.redirectUrl);
    expect(callback.searchParams.get("state")).toBe(provider.expectedState);
    expect(callback.searchParams.get("iss")).toBe(`${origin}/api`);

    // 3. The client exchanges the code (with its PKCE verifier) and reconnects with the token.
    await first.finishAuth(callback.searchParams.get("code")!);
    expect(provider.saved?.access_token).toBeString();
    const client = new Client({ name: "flow", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    return client;
  }

  test("client ID metadata document: no registration; the server fetches the document; tool call", async () => {
    const path = "/clients/mcp-flow.json";
    const provider = new MetadataDocumentClientProvider(`${metadataServer.origin}${path}`);
    metadataServer.routes.set(path, () => Response.json({ client_id: provider.clientMetadataUrl, ...provider.clientMetadata }));
    const hitsBefore = metadataServer.hits;
    const client = await runFlow(provider);
    expect(provider.client?.client_id).toBe(provider.clientMetadataUrl);
    expect(metadataServer.hits).toBeGreaterThan(hitsBefore);
    const me = await client.callTool({ name: "get_current_user", arguments: {} });
    expect(JSON.parse((me.content as { text: string }[])[0]!.text)).toMatchObject({ email: user.email });
    await client.close();
  });

  test("discovery from the 401, registration, PKCE, sign-in and consent, token, tool call", async () => {
    const provider = new TestClientProvider();
    const client = await runFlow(provider);
    expect(provider.client?.client_id).toStartWith("mcp_"); // dynamically registered
    const me = await client.callTool({ name: "get_current_user", arguments: {} });
    expect(JSON.parse((me.content as { text: string }[])[0]!.text)).toMatchObject({ email: user.email });
    const teams = await client.callTool({ name: "list_teams", arguments: { organization: org.slug } });
    expect(teams.isError).toBeFalsy();
    expect(JSON.parse((teams.content as { text: string }[])[0]!.text).map((team: { name: string }) => team.name)).toEqual(["Payments"]);
    await client.close();

    // The token was minted for /mcp only: the API refuses it.
    const api = await fetch(`${origin}/api/users/me`, { headers: { authorization: `Bearer ${provider.saved!.access_token}` } });
    expect(api.status).toBe(401);
  });
});
