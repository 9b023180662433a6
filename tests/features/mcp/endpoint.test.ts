/**
 * /mcp as an HTTP endpoint: the 401 challenge that starts OAuth discovery (RFC 9728 §5.1),
 * which credentials open it, and the Streamable HTTP transport's answers to malformed
 * JSON-RPC and to the methods a stateless server does not serve.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { issueTokens } from "../../../src/features/auth/issue.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createApiKey, createOrg, createUser, login, type TestUser } from "../../helpers/identity.ts";
import { connect, NO_EMBEDDINGS } from "./fixtures.ts";

let t: TestApp;
let base: string;
let user: TestUser;
let key: string;
/** IMBI_API_URL's origin (here the development default), and what it makes of /mcp. */
let origin: string;
let mcpResource: string;
let metadataUrl: string;

/** An access token from a real session, as the authorization-code grant mints it for `aud`. */
const tokenFor = async (aud: string) => (await issueTokens(
  { sql: t.infra.sql, auth: t.config.settings.auth, codec: t.ctx.codec, events: t.ctx.events },
  { owner: { kind: "user", id: user.id }, subject: user.email, authMethod: "oauth", claims: { auth_method: "oauth", aud }, meta: { ip: "127.0.0.1" } },
)).access_token;

const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const initialize = {
  jsonrpc: "2.0", id: 1, method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

beforeAll(async () => {
  t = await startTestApp(NO_EMBEDDINGS);
  const org = await createOrg(t);
  user = await createUser(t, { org, role: "readonly" });
  key = (await createApiKey(t, { userId: user.id })).key;
  base = t.listen();
  const { host, port } = t.config.settings.server;
  origin = `http://${host}:${port}`;
  mcpResource = `${origin}/mcp`;
  metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
});

afterAll(() => t.close());

const post = (body: unknown, headers: Record<string, string> = {}) => fetch(`${base}/mcp`, {
  method: "POST", headers: { ...MCP_HEADERS, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("POST /mcp without valid credentials", () => {
  test("no token: 401 whose challenge names the protected-resource metadata", async () => {
    const response = await post(initialize);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    expect(await response.json()).toEqual({ detail: "Missing authentication credentials" });
  });

  test.each([
    ["a malformed JWT", "not-a-jwt"],
    ["a JWT signed with another secret", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwidHlwZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl"],
    ["an unknown API key", `ik_${"0".repeat(32)}_${"s".repeat(32)}`],
  ])("%s: 401 invalid_token with the same resource_metadata", async (_, token) => {
    const response = await post(initialize, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toStartWith('Bearer error="invalid_token", error_description="');
    expect(challenge).toEndWith(`, resource_metadata="${metadataUrl}"`);
  });

  test("a revoked API key and an inactive user's key are refused", async () => {
    const revoked = await createApiKey(t, { userId: user.id }, { revoked: true });
    expect((await post(initialize, { authorization: `Bearer ${revoked.key}` })).status).toBe(401);
    const inactive = await createUser(t, { isActive: false });
    const inactiveKey = await createApiKey(t, { userId: inactive.id });
    expect((await post(initialize, { authorization: `Bearer ${inactiveKey.key}` })).status).toBe(401);
  });

  test("the SDK client without credentials cannot connect", async () => {
    const client = new Client({ name: "anonymous", version: "1" });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)))).rejects.toThrow();
  });
});

describe("POST /mcp with credentials", () => {
  test("an API key: initialize answers Imbi's server info, statelessly (no session id)", async () => {
    const response = await post(initialize, { authorization: `Bearer ${key}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const body = (await response.json()) as { result: { instructions?: unknown } };
    expect(body).toMatchObject({
      jsonrpc: "2.0", id: 1,
      result: { protocolVersion: "2025-06-18", serverInfo: { name: "imbi" }, capabilities: { tools: {} } },
    });
    expect(typeof body.result.instructions).toBe("string");
  });

  test("an access token minted for the MCP resource (aud) opens it", async () => {
    const client = await connect(base, await tokenFor(mcpResource));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });
});

describe("POST /mcp from a web page", () => {
  test("a foreign Origin is refused with 403 (DNS rebinding); a trusted one is served", async () => {
    const foreign = await post(initialize, { authorization: `Bearer ${key}`, origin: "https://attacker.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ detail: "Origin 'https://attacker.example' is not allowed" });
    expect((await post(initialize, { authorization: `Bearer ${key}`, origin })).status).toBe(200);
  });
});

describe("POST /mcp with a token meant for somewhere else (D5)", () => {
  test.each([
    ["the SPA's sign-in (no audience)", async () => (await login(t, user)).access_token],
    ["the API (its audience)", () => tokenFor(origin)],
    ["another host's MCP endpoint", () => tokenFor("https://elsewhere.example.com/mcp")],
  ])("a token for %s: 401 invalid_token with the challenge", async (_, token) => {
    const response = await post(initialize, { authorization: `Bearer ${await token()}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toStartWith('Bearer error="invalid_token"');
    expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
  });

  test("an MCP token whose session was revoked is refused", async () => {
    const token = await tokenFor(mcpResource);
    expect((await post(initialize, { authorization: `Bearer ${token}` })).status).toBe(200);
    await t.infra.sql`update sessions set revoked_at = now() where user_id = ${user.id}`;
    expect((await post(initialize, { authorization: `Bearer ${token}` })).status).toBe(401);
  });
});

describe("Streamable HTTP transport errors", () => {
  const auth = () => ({ authorization: `Bearer ${key}` });

  test("malformed JSON: 400 with a JSON-RPC parse error", async () => {
    const response = await post('{"jsonrpc": "2.0", "id": 1, "method": ', auth());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
  });

  test.each([
    ["a JSON value that is not a JSON-RPC message", { hello: "world" }],
    ["a request without a method", { jsonrpc: "2.0", id: 1 }],
    ["a wrong jsonrpc version", { jsonrpc: "1.0", id: 1, method: "tools/list" }],
  ])("%s: 400 with a JSON-RPC error", async (_, body) => {
    const response = await post(body, auth());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
  });

  test("an unknown method: JSON-RPC method-not-found for that request id", async () => {
    const response = await post({ jsonrpc: "2.0", id: 7, method: "nonsense/do" }, auth());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32601 } });
  });

  test("tools/call with malformed params: JSON-RPC invalid params", async () => {
    const response = await post({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { arguments: {} } }, auth());
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: 8, error: { code: -32602 } });
  });

  test("a body that is not JSON (415) and an Accept without event streams (406)", async () => {
    expect((await post(initialize, { ...auth(), "content-type": "text/plain" })).status).toBe(415);
    expect((await post(initialize, { ...auth(), accept: "application/json" })).status).toBe(406);
  });

  test.each(["GET", "DELETE"])("%s: 405 (stateless: no stream, no session) once authenticated, 401 before", async (method) => {
    const denied = await fetch(`${base}/mcp`, { method, headers: { accept: "text/event-stream" } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toContain("resource_metadata=");
    const response = await fetch(`${base}/mcp`, { method, headers: { ...auth(), accept: "text/event-stream" } });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });
  });
});

describe("with an API prefix and a per-key rate limit", () => {
  let configured: TestApp;
  beforeAll(async () => {
    configured = await startTestApp({ ...NO_EMBEDDINGS, IMBI_API_URL: "https://imbi.example.com/api", IMBI_AUTH_RATE_LIMIT_API_KEY: "2/minute" });
  });
  afterAll(() => configured.close());
  const mcp = (path: string, headers: Record<string, string> = {}) => configured.req(path, {
    method: "POST", headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });

  test("/mcp stays at the host root and the challenge uses IMBI_API_URL's origin", async () => {
    const response = await mcp("/mcp");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate"))
      .toBe('Bearer resource_metadata="https://imbi.example.com/.well-known/oauth-protected-resource/mcp"');
    expect((await mcp("/api/mcp")).status).toBe(404);
  });

  test("IMBI_AUTH_RATE_LIMIT_API_KEY applies per key, with RateLimit-* headers, then 429", async () => {
    const owner = await createUser(configured, { org: await createOrg(configured) });
    const auth = { authorization: `Bearer ${(await createApiKey(configured, { userId: owner.id })).key}` };
    const first = await mcp("/mcp", auth);
    expect([first.status, first.headers.get("ratelimit-limit"), first.headers.get("ratelimit-remaining")]).toEqual([200, "2", "1"]);
    expect((await mcp("/mcp", auth)).status).toBe(200);
    const refused = await mcp("/mcp", auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(await refused.json()).toEqual({ detail: expect.any(String) });
  });
});
