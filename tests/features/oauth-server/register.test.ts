/** POST /auth/register (RFC 7591): public clients only, redirect URIs by the D5 rules. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { json } from "../../helpers/identity.ts";
import { API_URL, REDIRECT_URI } from "./as-fixtures.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: API_URL });
});
afterAll(() => t.close());

const register = (body: unknown) => t.req("/api/auth/register", json(body));

describe("POST /auth/register", () => {
  test("201 with the stored metadata and an mcp_ client_id, no secret; unknown fields ignored", async () => {
    const response = await register({
      client_name: "Claude", redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "http://[::1]:3000/cb"], logo_uri: "https://x.example/logo.png",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.client_id).toMatch(/^mcp_[A-Za-z0-9_-]{21}$/);
    expect(body).toMatchObject({
      client_name: "Claude", redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "http://[::1]:3000/cb"],
      grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none",
    });
    expect(typeof body.client_id_issued_at).toBe("number");
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("logo_uri");
    const [row] = await t.infra.sql`select client_name, redirect_uris from oauth_clients where client_id = ${body.client_id as string}`;
    expect(row).toEqual({ client_name: "Claude", redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "http://[::1]:3000/cb"] });
  });

  test("minimal metadata: optional fields are absent, not null", async () => {
    const body = (await (await register({ redirect_uris: [REDIRECT_URI] })).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("client_name");
    expect(body).not.toHaveProperty("scope");
  });

  test.each([
    ["no redirect_uris", { redirect_uris: undefined }, "invalid_redirect_uri"],
    ["empty redirect_uris", { redirect_uris: [] }, "invalid_redirect_uri"],
    ["redirect_uris not a list", { redirect_uris: "https://a.example/cb" }, "invalid_client_metadata"],
    ["a non-string redirect URI", { redirect_uris: [1] }, "invalid_client_metadata"],
    ["plain http on a public host", { redirect_uris: ["http://a.example/cb"] }, "invalid_redirect_uri"],
    ["a fragment", { redirect_uris: ["https://a.example/cb#x"] }, "invalid_redirect_uri"],
    ["credentials", { redirect_uris: ["https://u:p@a.example/cb"] }, "invalid_redirect_uri"],
    ["whitespace", { redirect_uris: ["https://a.example/c b"] }, "invalid_redirect_uri"],
    ["a custom scheme", { redirect_uris: ["myapp://cb"] }, "invalid_redirect_uri"],
    ["a relative URI", { redirect_uris: ["/cb"] }, "invalid_redirect_uri"],
    ["too many", { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) }, "invalid_redirect_uri"],
    ["no authorization_code grant", { grant_types: ["refresh_token"] }, "invalid_client_metadata"],
    ["an unsupported grant", { grant_types: ["authorization_code", "client_credentials"] }, "invalid_client_metadata"],
    ["response_types token", { response_types: ["token"] }, "invalid_client_metadata"],
    ["a confidential client", { token_endpoint_auth_method: "client_secret_basic" }, "invalid_client_metadata"],
    ["a client_secret", { client_secret: "s" }, "invalid_client_metadata"],
    ["a non-string client_name", { client_name: 5 }, "invalid_client_metadata"],
    ["a huge client_name", { client_name: "n".repeat(201) }, "invalid_client_metadata"],
  ])("%s → 400 RFC 7591 error", async (_, fields, error) => {
    const response = await register({ redirect_uris: [REDIRECT_URI], ...fields });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; error_description: string };
    expect(answer.error).toBe(error);
    expect(answer.error_description.length).toBeGreaterThan(0);
  });

  test.each([
    ["not JSON", "{", "application/json"],
    ["a JSON array", "[]", "application/json"],
    ["a form", "redirect_uris=x", "application/x-www-form-urlencoded"],
    ["a huge body", JSON.stringify({ redirect_uris: [REDIRECT_URI], pad: "x".repeat(70_000) }), "application/json"],
  ])("%s → 400 invalid_client_metadata", async (_, body, type) => {
    const response = await t.req("/api/auth/register", { method: "POST", headers: { "content-type": type }, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_client_metadata");
  });
});
