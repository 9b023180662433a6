/**
 * RFC 8414 and RFC 9728 discovery: root and path-inserted locations, URLs derived per
 * request only for trusted origins behind a trusted proxy, registration advertised only
 * when enabled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as oauth from "oauth4webapi";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { json } from "../../helpers/identity.ts";
import { REDIRECT_URI } from "./as-fixtures.ts";

type Metadata = Record<string, unknown>;

describe("prefixed issuer behind a trusted proxy", () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({
      IMBI_API_URL: "https://imbi.example.com/api",
      IMBI_API_CORS_ALLOWED_ORIGINS: '["https://imbi-public.example.com"]',
      IMBI_API_FORWARDED_ALLOW_IPS: "127.0.0.1",
    });
    base = t.listen();
  });
  afterAll(() => t.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: "manual" });
  const viaProxy = (host: string) => ({ "x-forwarded-proto": "https", "x-forwarded-host": host, "x-forwarded-for": "198.51.100.4" });

  test("the path-inserted and root locations serve the same metadata, issuer = IMBI_API_URL", async () => {
    for (const path of ["/.well-known/oauth-authorization-server/api", "/.well-known/oauth-authorization-server"]) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        issuer: "https://imbi.example.com/api",
        authorization_endpoint: "https://imbi.example.com/api/auth/authorize",
        token_endpoint: "https://imbi.example.com/api/auth/token",
        registration_endpoint: "https://imbi.example.com/api/auth/register",
        scopes_supported: ["imbi"],
        response_types_supported: ["code"],
        response_modes_supported: ["query"],
        grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
        token_endpoint_auth_methods_supported: ["none"],
        code_challenge_methods_supported: ["S256"],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
      });
    }
  });

  test("oauth4webapi accepts the document for the prefixed issuer (RFC 8414 §3.3 issuer check)", async () => {
    const issuer = new URL("https://imbi.example.com/api");
    const response = await oauth.discoveryRequest(issuer, {
      algorithm: "oauth2", [oauth.customFetch]: (url: string, init: RequestInit) => fetch(`${base}${new URL(url).pathname}`, init),
    });
    const as = await oauth.processDiscoveryResponse(issuer, response);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
  });

  test("protected-resource metadata for the API and for /mcp", async () => {
    expect(await (await get("/.well-known/oauth-protected-resource/api")).json()).toEqual({
      resource: "https://imbi.example.com/api", resource_name: "Imbi API", authorization_servers: ["https://imbi.example.com/api"],
      scopes_supported: ["imbi"], bearer_methods_supported: ["header"],
    });
    expect(await (await get("/.well-known/oauth-protected-resource/mcp")).json()).toEqual({
      resource: "https://imbi.example.com/mcp", resource_name: "Imbi MCP", authorization_servers: ["https://imbi.example.com/api"],
      scopes_supported: ["imbi"], bearer_methods_supported: ["header"],
    });
    // The host root is not a resource when the API has a prefix.
    expect((await get("/.well-known/oauth-protected-resource")).status).toBe(404);
  });

  test("a trusted public host, forwarded by the trusted proxy, gets its own URLs", async () => {
    const as = (await (await get("/.well-known/oauth-authorization-server/api", viaProxy("imbi-public.example.com"))).json()) as Metadata;
    expect(as.issuer).toBe("https://imbi-public.example.com/api");
    expect(as.token_endpoint).toBe("https://imbi-public.example.com/api/auth/token");
    const mcp = (await (await get("/.well-known/oauth-protected-resource/mcp", viaProxy("imbi-public.example.com"))).json()) as Metadata;
    expect(mcp.resource).toBe("https://imbi-public.example.com/mcp");
    expect(mcp.authorization_servers).toEqual(["https://imbi-public.example.com/api"]);
  });

  test("an untrusted Host or X-Forwarded-Host falls back to IMBI_API_URL", async () => {
    const attempts: Record<string, string>[] = [
      viaProxy("evil.example"), { host: "evil.example" }, { "x-forwarded-proto": "http", "x-forwarded-host": "imbi-public.example.com" },
    ];
    for (const headers of attempts) {
      const as = (await (await get("/.well-known/oauth-authorization-server", headers)).json()) as Metadata;
      expect(as.issuer).toBe("https://imbi.example.com/api");
      expect(as.authorization_endpoint).toBe("https://imbi.example.com/api/auth/authorize");
    }
  });

  test("the login bounce goes to the host the user reached, when trusted", async () => {
    const { client_id } = (await (await fetch(`${base}/api/auth/register`, json({ redirect_uris: [REDIRECT_URI] }))).json()) as { client_id: string };
    const query = new URLSearchParams({
      client_id, redirect_uri: REDIRECT_URI, response_type: "code", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256",
    });
    const trusted = await get(`/api/auth/authorize?${query}`, viaProxy("imbi-public.example.com"));
    const location = new URL(trusted.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://imbi-public.example.com/login");
    expect(location.searchParams.get("return_to")).toBe(`https://imbi-public.example.com/api/auth/authorize?${query}`);

    const spoofed = await get(`/api/auth/authorize?${query}`, viaProxy("evil.example"));
    const fallback = new URL(spoofed.headers.get("location")!);
    expect(fallback.origin).toBe("https://imbi.example.com");
    expect(fallback.searchParams.get("return_to")!.startsWith("https://imbi.example.com/api/auth/authorize?")).toBe(true);
  });
});

describe("without a trusted proxy", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_URL: "https://imbi.example.com", IMBI_API_CORS_ALLOWED_ORIGINS: '["https://imbi-public.example.com"]' });
  });
  afterAll(() => t.close());

  test("even a trusted host is not honoured: IMBI_API_URL", async () => {
    const response = await t.app.handle(new Request("https://imbi-public.example.com/.well-known/oauth-authorization-server", {
      headers: { host: "imbi-public.example.com" },
    }));
    expect(((await response.json()) as Metadata).issuer).toBe("https://imbi.example.com");
  });

  test("an unprefixed API is the resource at the host root; there is no path-inserted issuer", async () => {
    const prm = (await (await t.req("/.well-known/oauth-protected-resource")).json()) as Metadata;
    expect(prm.resource).toBe("https://imbi.example.com");
    expect(prm.authorization_servers).toEqual(["https://imbi.example.com"]);
    expect((await t.req("/.well-known/oauth-authorization-server/api")).status).toBe(404);
  });
});

describe("IMBI_AUTH_DCR_ENABLED=false", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_URL: "http://imbi.test", IMBI_AUTH_DCR_ENABLED: "false" });
  });
  afterAll(() => t.close());

  test("registration is refused with 403 and not advertised", async () => {
    const response = await t.req("/auth/register", json({ redirect_uris: [REDIRECT_URI] }));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: "Dynamic client registration is disabled" });
    const as = (await (await t.req("/.well-known/oauth-authorization-server")).json()) as Metadata;
    expect(as.registration_endpoint).toBeUndefined();
    expect(as.client_id_metadata_document_supported).toBe(true);
  });
});
