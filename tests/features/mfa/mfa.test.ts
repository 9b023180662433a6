/** /mfa/status, /mfa/setup, /mfa/verify, /mfa/disable and MFA at login. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generate } from "otplib";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, PASSWORD, type TestUser } from "../../helpers/identity.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMBI_AUTH_MFA_TOTP_DIGITS: "8", IMBI_AUTH_MFA_ISSUER_NAME: "Imbi Test", IMBI_AUTH_MFA_TOTP_PERIOD: "30" });
});
afterAll(() => t.close());

const code = (secret: string, offsetSteps = 0) =>
  generate({ secret, digits: 8, period: 30, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

async function enrolled(): Promise<{ user: TestUser; token: string; secret: string; backup: string[] }> {
  const user = await createUser(t, { org: await createOrg(t) });
  const { access_token } = await login(t, user);
  const setup = (await (await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) })).json()) as { secret: string; backup_codes: string[] };
  const verify = await t.req("/mfa/verify", json({ code: await code(setup.secret) }, bearer(access_token)));
  expect(verify.status).toBe(204);
  return { user, token: access_token, secret: setup.secret, backup: setup.backup_codes };
}

describe("POST /mfa/setup", () => {
  test("returns a secret, an otpauth URI with the settings, and 10 backup codes; the secret is stored encrypted", async () => {
    const user = await createUser(t);
    const { access_token } = await login(t, user);
    const response = await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { secret: string; provisioning_uri: string; backup_codes: string[] };
    expect(body.provisioning_uri).toStartWith("otpauth://totp/");
    expect(body.provisioning_uri).toContain("digits=8");
    expect(decodeURIComponent(body.provisioning_uri)).toContain("Imbi Test");
    expect(body.backup_codes).toHaveLength(10);
    const [row] = await t.infra.sql`select secret_encrypted, enabled from mfa_secrets where user_id = ${user.id}`;
    expect(row!.secret_encrypted).not.toContain(body.secret);
    expect(t.ctx.fernet.decryptText(row!.secret_encrypted as string)).toBe(body.secret);
    expect(row!.enabled).toBe(false);
    const status = await (await t.req("/mfa/status", { headers: bearer(access_token) })).json();
    expect(status).toEqual({ enabled: false, backup_codes_remaining: 0 });
  });

  test("needs a user: no credentials → 401", async () => {
    expect((await t.req("/mfa/setup", { method: "POST" })).status).toBe(401);
  });
});

describe("POST /mfa/verify", () => {
  test("a wrong code → 401; before setup → 404; malformed → 422", async () => {
    const user = await createUser(t);
    const { access_token } = await login(t, user);
    expect((await t.req("/mfa/verify", json({ code: "12345678" }, bearer(access_token)))).status).toBe(404);
    await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) });
    expect((await t.req("/mfa/verify", json({ code: "00000000" }, bearer(access_token)))).status).toBe(401);
    for (const body of [{}, { code: 123 }, { code: "1" }]) {
      expect((await t.req("/mfa/verify", json(body, bearer(access_token)))).status).toBe(422);
    }
  });
});

describe("login with MFA", () => {
  test("without a code → 401 and X-MFA-Required: true", async () => {
    const { user } = await enrolled();
    const response = await t.req("/auth/login", json({ email: user.email, password: PASSWORD }));
    expect(response.status).toBe(401);
    expect(response.headers.get("x-mfa-required")).toBe("true");
    expect(await response.json()).toEqual({ detail: "MFA code required" });
  });

  test("a right code logs in; the same code is not accepted twice; a wrong one is refused", async () => {
    const { user, secret } = await enrolled();
    // The code used by /mfa/verify is spent; the next step's code is fresh.
    const next = await code(secret, 1);
    expect((await t.req("/auth/login", json({ email: user.email, password: PASSWORD, mfa_code: next }))).status).toBe(200);
    const replay = await t.req("/auth/login", json({ email: user.email, password: PASSWORD, mfa_code: next }));
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ detail: "Invalid MFA code" });
    expect((await t.req("/auth/login", json({ email: user.email, password: PASSWORD, mfa_code: "11111111" }))).status).toBe(401);
  });

  test("a backup code works once", async () => {
    const { user, token, backup } = await enrolled();
    const body = { email: user.email, password: PASSWORD, mfa_code: backup[0] };
    expect((await t.req("/auth/login", json(body))).status).toBe(200);
    expect((await t.req("/auth/login", json(body))).status).toBe(401);
    const status = await (await t.req("/mfa/status", { headers: bearer(token) })).json();
    expect(status).toEqual({ enabled: true, backup_codes_remaining: 9 });
  });
});

describe("DELETE /mfa/disable", () => {
  test("needs a valid code; then MFA is off and login needs none", async () => {
    const { user, token, secret, backup } = await enrolled();
    const del = (body: unknown) => t.req("/mfa/disable", { method: "DELETE", body: JSON.stringify(body), headers: { ...bearer(token), "content-type": "application/json" } });
    expect((await del({})).status).toBe(401);
    expect((await del({ mfa_code: "00000000" })).status).toBe(401);
    expect((await del({ mfa_code: backup[3] })).status).toBe(204);
    expect((await del({ mfa_code: await code(secret, 1) })).status).toBe(404);
    expect((await t.req("/auth/login", json({ email: user.email, password: PASSWORD }))).status).toBe(200);
  });
});
