/** D3: IMBI_AUTH_MFA_TOTP_PERIOD, _DIGITS and _ISSUER_NAME shape the TOTP secret users enrol. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generate } from "otplib";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bearer, createUser, json, login } from "../helpers/identity.ts";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMBI_AUTH_MFA_TOTP_PERIOD: "60", IMBI_AUTH_MFA_TOTP_DIGITS: "7", IMBI_AUTH_MFA_ISSUER_NAME: "Acme SSO" });
});
afterAll(() => t.close());

describe("MFA settings", () => {
  test("the otpauth URI carries them, and only codes of that period and length verify", async () => {
    const user = await createUser(t);
    const { access_token } = await login(t, user);
    const setup = (await (await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) })).json()) as { secret: string; provisioning_uri: string };
    const uri = new URL(setup.provisioning_uri);
    expect(uri.searchParams.get("period")).toBe("60");
    expect(uri.searchParams.get("digits")).toBe("7");
    expect(uri.searchParams.get("issuer")).toBe("Acme SSO");
    const epoch = Math.floor(Date.now() / 1000);
    // A 30-second code of the same secret is (almost surely) not the 60-second one.
    const wrongPeriod = await generate({ secret: setup.secret, digits: 7, period: 30, epoch: epoch - 120 });
    const right = await generate({ secret: setup.secret, digits: 7, period: 60, epoch });
    if (wrongPeriod !== right) {
      expect((await t.req("/mfa/verify", json({ code: wrongPeriod }, bearer(access_token)))).status).toBe(401);
    }
    expect((await t.req("/mfa/verify", json({ code: right.slice(0, 6) }, bearer(access_token)))).status).toBe(401);
    expect((await t.req("/mfa/verify", json({ code: right }, bearer(access_token)))).status).toBe(204);
  });
});
