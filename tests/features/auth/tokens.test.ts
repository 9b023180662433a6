/** Access tokens: algorithm, expiry, type, revocation, inactive owners. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT, UnsecuredJWT } from "jose";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, login, type TestUser } from "../../helpers/identity.ts";

let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await startTestApp({ IMBI_AUTH_JWT_ALGORITHM: "HS384", IMBI_AUTH_ACCESS_TOKEN_EXPIRE_SECONDS: "120" });
  user = await createUser(t, { org: await createOrg(t) });
});
afterAll(() => t.close());

const me = (token: string) => t.req("/mfa/status", { headers: bearer(token) });
const secret = () => new TextEncoder().encode(t.config.settings.auth.jwt_secret);

async function forge(alg: string, claims: Record<string, unknown>, key: Uint8Array = secret()) {
  return new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt().setExpirationTime("5m").sign(key);
}

describe("access tokens", () => {
  test("IMBI_AUTH_JWT_ALGORITHM and IMBI_AUTH_ACCESS_TOKEN_EXPIRE_SECONDS shape the token", async () => {
    const { access_token, expires_in } = await login(t, user);
    expect(expires_in).toBe(120);
    const [header, payload] = access_token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p!, "base64url").toString()));
    expect(header.alg).toBe("HS384");
    expect(payload.exp - payload.iat).toBe(120);
    expect(payload).toMatchObject({ sub: user.email, type: "access" });
    expect((await me(access_token)).status).toBe(200);
  });

  test("alg=none is refused", async () => {
    const token = new UnsecuredJWT({ sub: user.email, jti: "x", type: "access" }).setIssuedAt().setExpirationTime("5m").encode();
    expect((await me(token)).status).toBe(401);
  });

  test("an unexpected algorithm (HS256 with the right secret) is refused", async () => {
    const { access_token } = await login(t, user);
    const claims = JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString());
    expect((await me(await forge("HS256", claims))).status).toBe(401);
  });

  test("a token signed with another secret is refused", async () => {
    const { access_token } = await login(t, user);
    const claims = JSON.parse(Buffer.from(access_token.split(".")[1]!, "base64url").toString());
    const response = await me(await forge("HS384", claims, new TextEncoder().encode("another-secret-another-secret-1234567890")));
    expect(await response.json()).toEqual({ detail: "Invalid token" });
  });

  test("an expired token → 401 Token has expired", async () => {
    const claims = { sub: user.email, jti: "expired", type: "access" };
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS384" }).setIssuedAt(1_000_000).setExpirationTime(1_000_060).sign(secret());
    expect(await (await me(token)).json()).toEqual({ detail: "Token has expired" });
  });

  test("a refresh token cannot be used as an access token", async () => {
    const { refresh_token } = await login(t, user);
    expect(await (await me(refresh_token)).json()).toEqual({ detail: "Invalid token type" });
  });

  test("a validly signed token that was never issued is refused", async () => {
    expect((await me(await forge("HS384", { sub: user.email, jti: "never-issued", type: "access" }))).status).toBe(401);
  });

  test("deactivating the user locks out their existing tokens", async () => {
    const other = await createUser(t);
    const { access_token } = await login(t, other);
    await t.infra.sql`update users set is_active = false where id = ${other.id}`;
    expect(await (await me(access_token)).json()).toEqual({ detail: "User account is inactive" });
  });

  test.each(["Basic abc", "Bearer", "Bearer a b", "token"])("Authorization %p → 401", async (header) => {
    expect((await t.req("/mfa/status", { headers: { authorization: header } })).status).toBe(401);
  });
});
