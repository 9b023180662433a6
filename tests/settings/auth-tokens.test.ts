/** D3: ENVIRONMENT (cookie Secure flag), IMBI_AUTH_REFRESH_TOKEN_EXPIRE_SECONDS, IMBI_API_URL (cookie paths). */
import { afterAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { createUser, json, PASSWORD } from "../helpers/identity.ts";

const opened: TestApp[] = [];
afterAll(() => Promise.all(opened.map((t) => t.close())));

async function loginResponse(env: Record<string, string>, path = "/auth/login") {
  const t = await startTestApp(env);
  opened.push(t);
  const user = await createUser(t);
  return t.req(path, json({ email: user.email, password: PASSWORD }));
}

describe("auth cookies and token lifetimes", () => {
  test("outside development the cookies are Secure", async () => {
    const response = await loginResponse({ ENVIRONMENT: "staging" });
    for (const cookie of response.headers.getSetCookie()) expect(cookie).toContain("Secure");
  });

  test("IMBI_AUTH_REFRESH_TOKEN_EXPIRE_SECONDS sets the refresh token's lifetime and its cookie's Max-Age", async () => {
    const response = await loginResponse({ IMBI_AUTH_REFRESH_TOKEN_EXPIRE_SECONDS: "7200" });
    const { refresh_token } = (await response.json()) as { refresh_token: string };
    const claims = JSON.parse(Buffer.from(refresh_token.split(".")[1]!, "base64url").toString());
    expect(claims.exp - claims.iat).toBe(7200);
    expect(response.headers.getSetCookie().find((c) => c.startsWith("imbi_refresh_token="))).toContain("Max-Age=7200");
  });

  test("with IMBI_API_URL's prefix the cookies are scoped to it", async () => {
    const response = await loginResponse({ IMBI_API_URL: "https://imbi.example.com/api" }, "/api/auth/login");
    const cookies = response.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith("imbi_refresh_token="))).toContain("Path=/api/auth");
    expect(cookies.find((c) => c.startsWith("imbi_access_token="))).toContain("Path=/api");
  });
});
