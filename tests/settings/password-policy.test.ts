/**
 * D3: each IMBI_AUTH_PASSWORD_* setting, changed on its own, changes which passwords are
 * accepted — on user creation, when an admin sets a password, and on a self change.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, unique } from "../helpers/identity.ts";

const opened: TestApp[] = [];
afterAll(() => Promise.all(opened.map((t) => t.close())));

interface Harness {
  t: TestApp;
  org: string;
  admin: Record<string, string>;
}

async function harness(env: Record<string, string>): Promise<Harness> {
  const t = await startTestApp(env);
  opened.push(t);
  const org = await createOrg(t);
  const admin = await createUser(t, { org, role: "admin", isAdmin: true });
  return { t, org: org.slug, admin: bearer((await login(t, admin)).access_token) };
}

/** The rule messages POST /users/ reports for `password` (empty when it is accepted). */
async function problems(h: Harness, password: string): Promise<string[]> {
  const response = await h.t.req("/users/", json({
    email: `${unique("p")}@example.com`, display_name: "Policy Probe", password, organization_slug: h.org, role_slug: "readonly",
  }, h.admin));
  if (response.status === 201) return [];
  expect(response.status).toBe(422);
  return ((await response.json()) as { detail: { msg: string }[] }).detail.map((d) => d.msg);
}

/** One probe per rule: each breaks only that rule under the defaults. */
const PROBES = {
  short: "Short-Pass-1", // 12 characters: fine at the default, too short at 20
  noUpper: "lowercase-only-pass-1234",
  noLower: "UPPERCASE-ONLY-PASS-1234",
  noDigit: "No-Digits-In-This-Password",
  noSpecial: "NoSpecialCharacters12345",
};

const UPPER = "Password must contain at least one uppercase letter";
const LOWER = "Password must contain at least one lowercase letter";
const DIGIT = "Password must contain at least one digit";
const SPECIAL = "Password must contain at least one special character";
const DEFAULTS: Record<keyof typeof PROBES, string[]> = { short: [], noUpper: [UPPER], noLower: [LOWER], noDigit: [DIGIT], noSpecial: [SPECIAL] };

describe("IMBI_AUTH_PASSWORD_*", () => {
  test.each([
    ["(defaults)", {}, {}],
    ["IMBI_AUTH_PASSWORD_MIN_LENGTH", { IMBI_AUTH_PASSWORD_MIN_LENGTH: "20" }, { short: ["Password must be at least 20 characters"] }],
    ["IMBI_AUTH_PASSWORD_REQUIRE_UPPERCASE", { IMBI_AUTH_PASSWORD_REQUIRE_UPPERCASE: "false" }, { noUpper: [] }],
    ["IMBI_AUTH_PASSWORD_REQUIRE_LOWERCASE", { IMBI_AUTH_PASSWORD_REQUIRE_LOWERCASE: "false" }, { noLower: [] }],
    ["IMBI_AUTH_PASSWORD_REQUIRE_DIGIT", { IMBI_AUTH_PASSWORD_REQUIRE_DIGIT: "false" }, { noDigit: [] }],
    ["IMBI_AUTH_PASSWORD_REQUIRE_SPECIAL", { IMBI_AUTH_PASSWORD_REQUIRE_SPECIAL: "false" }, { noSpecial: [] }],
  ])("%s changes exactly its own rule on POST /users/", async (_, env, changed) => {
    const h = await harness(env);
    const expected = { ...DEFAULTS, ...changed };
    for (const [probe, password] of Object.entries(PROBES) as [keyof typeof PROBES, string][]) {
      expect({ probe, problems: await problems(h, password) }).toEqual({ probe, problems: expected[probe] });
    }
  });

  describe("the same policy on password changes", () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness({ IMBI_AUTH_PASSWORD_MIN_LENGTH: "20", IMBI_AUTH_PASSWORD_REQUIRE_SPECIAL: "false" });
    });

    test("an admin setting another user's password", async () => {
      const user = await createUser(h.t);
      const tooShort = await h.t.req(`/users/${user.email}/password`, json({ new_password: "Short-Pass-1!" }, h.admin));
      expect(tooShort.status).toBe(422);
      expect(await tooShort.json()).toEqual({ detail: [{ type: "value_error", loc: ["body", "new_password"], msg: "Password must be at least 20 characters" }] });
      const plain = await h.t.req(`/users/${user.email}/password`, json({ new_password: "LongEnoughWithoutSpecial7" }, h.admin));
      expect(plain.status).toBe(204);
    });

    test("a user changing their own", async () => {
      const user = await createUser(h.t);
      const session = bearer((await login(h.t, user)).access_token);
      const tooShort = await h.t.req(`/users/${user.email}/password`, json({ current_password: user.password, new_password: "Short-Pass-1!" }, session));
      expect(tooShort.status).toBe(422);
      const plain = await h.t.req(`/users/${user.email}/password`, json({ current_password: user.password, new_password: "LongEnoughWithoutSpecial7" }, session));
      expect(plain.status).toBe(204);
    });
  });
});
