/**
 * The audience contract (RFC 8707 `aud`): a token bound to a resource is accepted only by
 * that resource; tokens without an audience (password login, client credentials) and API
 * keys keep working everywhere. The API's auth macro requires the API's resource URL as
 * the caller reached it; /mcp asks authenticate() for the MCP resource.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createApiKey, createOrg, createUser, json, type TestUser } from "../../helpers/identity.ts";
import { authenticate } from "../../../src/features/auth/authenticate.ts";
import { issueTokens } from "../../../src/features/auth/issue.ts";
import { mcpResourceUrl } from "../../../src/features/oauth-server/resources.ts";

let t: TestApp;
let user: TestUser;
const API = "https://imbi.example.com/api";
const PUBLIC_API = "https://imbi-public.example.com/api";
const MCP = "https://imbi.example.com/mcp";

beforeAll(async () => {
  t = await startTestApp({
    IMBI_API_URL: API, IMBI_API_CORS_ALLOWED_ORIGINS: '["https://imbi-public.example.com"]', IMBI_API_FORWARDED_ALLOW_IPS: "127.0.0.1",
  });
  user = await createUser(t, { org: await createOrg(t) });
});
afterAll(() => t.close());

const deps = () => ({ sql: t.infra.sql, auth: t.ctx.settings.auth, codec: t.ctx.codec });

async function pairFor(aud?: string) {
  return issueTokens({ ...deps(), events: t.ctx.events }, {
    owner: { kind: "user", id: user.id }, subject: user.email, authMethod: "oauth",
    claims: aud ? { auth_method: "oauth", aud, client_id: "mcp_test" } : {}, meta: { ip: "" },
  });
}
const tokenFor = async (aud?: string): Promise<string> => (await pairFor(aud)).access_token;

describe("authenticate(deps, token, { resource })", () => {
  test("a token bound to a resource is accepted by that resource only", async () => {
    const token = await tokenFor(MCP);
    expect((await authenticate(deps(), token, { resource: MCP })).id).toBe(user.id);
    await expect(authenticate(deps(), token, { resource: API })).rejects.toThrow("Token was issued for another resource");
    await expect(authenticate(deps(), token)).rejects.toThrow("Token was issued for another resource");
  });

  test("a token for the API is refused by /mcp (token for another resource)", async () => {
    await expect(authenticate(deps(), await tokenFor(API), { resource: MCP })).rejects.toThrow("Token was issued for another resource");
  });

  test("tokens without an audience and API keys are accepted by every resource", async () => {
    const token = await tokenFor();
    const { key } = await createApiKey(t, { userId: user.id });
    for (const resource of [API, MCP, undefined]) {
      expect((await authenticate(deps(), token, { resource })).id).toBe(user.id);
      expect((await authenticate(deps(), key, { resource })).id).toBe(user.id);
    }
  });
});

describe("POST /auth/token/refresh (the SPA's refresh)", () => {
  test("refuses an OAuth client's refresh token, which would come back unbound, and leaves it usable at /auth/token", async () => {
    const pair = await pairFor(MCP);
    const refused = await t.req("/api/auth/token/refresh", json({ refresh_token: pair.refresh_token }));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ detail: "This refresh token belongs to an OAuth client; use POST /auth/token with grant_type=refresh_token" });
    const { jti } = await t.ctx.codec.verify(pair.refresh_token, "refresh");
    const [row] = await t.infra.sql`select revoked_at from tokens where jti = ${jti}`;
    expect(row).toEqual({ revoked_at: null });
  });

  test("still rotates a password-login pair", async () => {
    const pair = await pairFor();
    expect((await t.req("/api/auth/token/refresh", json({ refresh_token: pair.refresh_token }))).status).toBe(200);
  });
});

describe("the API's auth macro", () => {
  test("accepts tokens for the API, without audience and API keys; refuses tokens for /mcp with 401", async () => {
    const me = async (token: string) => (await t.req("/api/users/me", { headers: bearer(token) })).status;
    expect(await me(await tokenFor(API))).toBe(200);
    expect(await me(await tokenFor())).toBe(200);
    expect(await me((await createApiKey(t, { userId: user.id })).key)).toBe(200);
    const refused = await t.req("/api/users/me", { headers: bearer(await tokenFor(MCP)) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe("Bearer");
    expect(await refused.json()).toEqual({ detail: "Token was issued for another resource" });
  });

  test("the API's resource is the one the caller reached: a public-host token works there only", async () => {
    const base = t.listen();
    const publicHost = { "x-forwarded-proto": "https", "x-forwarded-host": "imbi-public.example.com" };
    const token = await tokenFor(PUBLIC_API);
    expect((await fetch(`${base}/api/users/me`, { headers: { ...bearer(token), ...publicHost } })).status).toBe(200);
    expect((await fetch(`${base}/api/users/me`, { headers: bearer(token) })).status).toBe(401);
    // A spoofed host is not trusted, so it cannot make a token for it acceptable.
    const spoofed = await tokenFor("https://evil.example/api");
    expect((await fetch(`${base}/api/users/me`, { headers: { ...bearer(spoofed), "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" } })).status).toBe(401);
  });

  test("the upload byte routes (bearer or cookie) apply the same rule", async () => {
    const missing = `/api/uploads/${crypto.randomUUID()}/thumbnail`;
    const status = async (headers: Record<string, string>) => (await t.req(missing, { headers })).status;
    expect(await status(bearer(await tokenFor(API)))).toBe(404); // authenticated; no such upload
    expect(await status(bearer(await tokenFor(MCP)))).toBe(401);
    expect(await status({ cookie: `imbi_access_token=${await tokenFor(MCP)}` })).toBe(401);
  });

  test("a password login's tokens are unchanged (no audience)", async () => {
    const response = await t.req("/api/auth/login", json({ email: user.email, password: user.password }));
    const { access_token } = (await response.json()) as { access_token: string };
    expect(JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString())).not.toHaveProperty("aud");
  });
});

test("mcpResourceUrl gives /mcp at the origin the caller reached (trusted) or IMBI_API_URL's", () => {
  const request = new Request("http://internal/mcp");
  const server = t.ctx.settings.server;
  expect(mcpResourceUrl(server, { request })).toBe(MCP);
  expect(mcpResourceUrl(server, { request, client: { scheme: "https", host: "imbi-public.example.com" } })).toBe("https://imbi-public.example.com/mcp");
  expect(mcpResourceUrl(server, { request, client: { scheme: "https", host: "evil.example" } })).toBe(MCP);
});
