// The email flows end to end through the stack's SMTP capture (Mailpit API at
// MAILPIT_HTTP_URL): welcome, set-password, verification, password reset, security alerts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generate } from "otplib";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createOrg, createUser, json, login, PASSWORD, unique } from "../../helpers/identity.ts";
import { FORGOT_PASSWORD_ANSWER } from "../../../src/features/email/routes.ts";
import { capturedFor, emailLog, linkIn, until, waitForCaptured, type CapturedMessage } from "./helpers.ts";

let t: TestApp;
let admin: { access_token: string };
let org: { id: string; slug: string };
beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: "https://imbi.example.test", IMBI_AUTH_MFA_TOTP_DIGITS: "8", IMBI_AUTH_MFA_TOTP_PERIOD: "30" });
  org = await createOrg(t);
  admin = await login(t, await createUser(t, { isAdmin: true, email: `${unique("admin")}@example.com` }));
});
afterAll(() => t.close());

const address = (prefix: string) => `${unique(prefix)}@mail.example.com`;
const api = (path: string, init?: RequestInit) => t.req(path, init);
const form = (fields: Record<string, string>): RequestInit => ({
  method: "POST", body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" },
});
/** Follows an emailed link inside the test app (its origin is checked separately). */
const follow = (link: URL, init?: RequestInit) => t.req(`${link.pathname}${link.search}`, init);
const bySubject = (messages: CapturedMessage[], subject: string) => {
  const found = messages.find((m) => m.Subject === subject);
  if (!found) throw new Error(`no "${subject}" among ${messages.map((m) => m.Subject).join(", ")}`);
  return found;
};
const tokenOf = (link: URL) => link.searchParams.get("token")!;

async function createViaApi(email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await api("/users", json({ email, display_name: "New <b>User</b>", organization_slug: org.slug, role_slug: "developer", ...extra },
    { ...bearer(admin.access_token), ...headers }));
  expect(response.status).toBe(201);
}

describe("user created", () => {
  test("with a password: a welcome and a verification message; the verify link works once", async () => {
    const email = address("welcome");
    await createViaApi(email, { password: PASSWORD });
    const messages = await waitForCaptured(email, 2);
    const welcome = bySubject(messages, "Welcome to Imbi");
    expect(welcome.From).toEqual({ Name: "Imbi", Address: "noreply@imbi.example.com" });
    expect(welcome.To.map((a) => a.Address)).toEqual([email]);
    expect(welcome.Text).toContain("Hello New <b>User</b>,");
    expect(welcome.HTML).toContain("Hello New &lt;b&gt;User&lt;/b&gt;,");
    expect(welcome.HTML).not.toContain("<b>User</b>");
    expect(welcome.Text).not.toContain("/auth/reset-password");

    const verify = bySubject(messages, "Verify your email address for Imbi");
    const link = linkIn(verify, "/auth/verify-email");
    expect(link.origin).toBe("https://imbi.example.test");
    const page = await follow(link);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/auth/verify-email">');
    expect(html).not.toMatch(/<script|<link|src=/);
    const [before] = await t.infra.sql`select email_verified from users where email = ${email}`;
    expect(before!.email_verified).toBe(false);
    const done = await api("/auth/verify-email", form({ token: tokenOf(link) }));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("verified");
    const shown = await api(`/users/${email}`, { headers: bearer(admin.access_token) });
    expect(((await shown.json()) as { email_verified: boolean }).email_verified).toBe(true);
    expect((await api("/auth/verify-email", json({ token: tokenOf(link) }))).status).toBe(400);
    expect((await follow(link)).status).toBe(400);
    // Only hashes are stored.
    const tokens = await t.infra.sql`select token_hash from one_time_tokens`;
    expect(JSON.stringify(tokens)).not.toContain(tokenOf(link));
  });

  test("without a password: the welcome carries a set-password link that works", async () => {
    const email = address("nopass");
    await createViaApi(email);
    const welcome = bySubject(await waitForCaptured(email, 2), "Welcome to Imbi");
    const link = linkIn(welcome, "/auth/reset-password");
    const page = await follow(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="new_password"');
    const weak = await api("/auth/reset-password", form({ token: tokenOf(link), new_password: "short", confirm_password: "short" }));
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain("Password must be at least");
    const set = await api("/auth/reset-password", form({ token: tokenOf(link), new_password: "Brand-New-Pass-42", confirm_password: "Brand-New-Pass-42" }));
    expect(set.status).toBe(200);
    expect(await set.text()).toContain("Your password has been set");
    await login(t, { email, password: "Brand-New-Pass-42" });
  });

  test("links point at the request's trusted origin, else at IMBI_API_URL's", async () => {
    const untrusted = address("origin");
    await createViaApi(untrusted, {}, { host: "evil.example.net" });
    const messages = await waitForCaptured(untrusted, 2);
    expect(linkIn(bySubject(messages, "Welcome to Imbi"), "/auth/reset-password").origin).toBe("https://imbi.example.test");
  });

  test("a service account user gets no mail", async () => {
    const email = address("svc");
    await createViaApi(email, { is_service_account: true });
    await Bun.sleep(1500);
    expect(await capturedFor(email)).toEqual([]);
  });
});

describe("password reset", () => {
  test("unknown address: 202 with the same body, and no mail", async () => {
    const email = address("nobody");
    const response = await api("/auth/forgot-password", json({ email }));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ detail: FORGOT_PASSWORD_ANSWER });
    await t.ctx.email.settle();
    await Bun.sleep(1000);
    expect(await capturedFor(email)).toEqual([]);
  });

  test("known address: 202, a reset link that works once; every session ends; a security alert", async () => {
    const user = await createUser(t, { email: address("reset"), org });
    const session = await login(t, user);
    const response = await api("/auth/forgot-password", json({ email: user.email }));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ detail: FORGOT_PASSWORD_ANSWER });
    const mail = bySubject(await waitForCaptured(user.email), "Reset your Imbi password");
    const link = linkIn(mail, "/auth/reset-password");
    expect(link.origin).toBe("https://imbi.example.test");
    expect((await follow(link)).status).toBe(200);

    expect((await api("/auth/reset-password", json({ token: tokenOf(link), new_password: "weak" }))).status).toBe(422);
    const ok = await api("/auth/reset-password", json({ token: tokenOf(link), new_password: "Reset-Pass-1234" }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ detail: "Password has been reset" });
    await login(t, { email: user.email, password: "Reset-Pass-1234" });
    expect((await t.req("/auth/token/refresh", json({ refresh_token: session.refresh_token }))).status).toBe(401);
    expect((await t.req("/users/me", { headers: bearer(session.access_token) })).status).toBe(401);

    const reused = await api("/auth/reset-password", json({ token: tokenOf(link), new_password: "Another-Pass-1234" }));
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ detail: "Invalid or expired token" });
    bySubject(await waitForCaptured(user.email, 2), "Your Imbi password was reset");
  });

  test("an expired token → 400", async () => {
    const user = await createUser(t, { email: address("expired"), org });
    await api("/auth/forgot-password", json({ email: user.email }));
    const link = linkIn(bySubject(await waitForCaptured(user.email), "Reset your Imbi password"), "/auth/reset-password");
    await t.infra.sql`update one_time_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`;
    expect((await api("/auth/reset-password", json({ token: tokenOf(link), new_password: "Reset-Pass-1234" }))).status).toBe(400);
    expect((await follow(link)).status).toBe(400);
    expect((await api("/auth/reset-password", json({ token: "made-up", new_password: "Reset-Pass-1234" }))).status).toBe(400);
    // A form posted from another site is refused outright.
    const crossSite = form({ token: "made-up", new_password: "Reset-Pass-1234" });
    crossSite.headers = { ...(crossSite.headers as Record<string, string>), origin: "https://evil.example.net" };
    expect((await api("/auth/reset-password", crossSite)).status).toBe(403);
  });

  test("tokens expire after 24 hours", async () => {
    const user = await createUser(t, { email: address("ttl"), org });
    await api("/auth/forgot-password", json({ email: user.email }));
    await t.ctx.email.settle();
    const [row] = await t.infra.sql<{ hours: number }[]>`
      select extract(epoch from expires_at - created_at) / 3600 as hours from one_time_tokens where user_id = ${user.id}`;
    expect(Math.round(Number(row!.hours))).toBe(24);
  });

  test("forgot-password is rate-limited per IP (5/minute)", async () => {
    const limited = await startTestApp({}, undefined, { rateLimits: "enforced" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await limited.req("/auth/forgot-password", json({ email: address("rl") }))).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    } finally {
      await limited.close();
    }
  });

  test("answers in similar time whether or not the account exists", async () => {
    const user = await createUser(t, { email: address("timing"), org });
    const time = async (email: string) => {
      const started = performance.now();
      expect((await api("/auth/forgot-password", json({ email }))).status).toBe(202);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time(user.email));
      unknown.push(await time(address("ghost")));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[2]!;
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(25);
    await t.ctx.email.settle();
  });
});

describe("security alerts", () => {
  const code = (secret: string, offsetSteps = 0) =>
    generate({ secret, digits: 8, period: 30, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

  test("password changed", async () => {
    const user = await createUser(t, { email: address("alertpw"), org });
    const { access_token } = await login(t, user);
    const response = await t.req(`/users/${user.email}/password`, json({ current_password: PASSWORD, new_password: "Changed-Pass-99" }, bearer(access_token)));
    expect(response.status).toBe(204);
    bySubject(await waitForCaptured(user.email), "Your Imbi password was changed");
  });

  test("MFA enabled, then disabled", async () => {
    const user = await createUser(t, { email: address("alertmfa"), org });
    const { access_token } = await login(t, user);
    const setup = (await (await t.req("/mfa/setup", { method: "POST", headers: bearer(access_token) })).json()) as { secret: string; backup_codes: string[] };
    expect((await t.req("/mfa/verify", json({ code: await code(setup.secret) }, bearer(access_token)))).status).toBe(204);
    bySubject(await waitForCaptured(user.email), "Two-factor authentication enabled on your Imbi account");
    const disable = await t.req("/mfa/disable", {
      method: "DELETE", body: JSON.stringify({ mfa_code: setup.backup_codes[0] }), headers: { ...bearer(access_token), "content-type": "application/json" },
    });
    expect(disable.status).toBe(204);
    bySubject(await waitForCaptured(user.email, 2), "Two-factor authentication disabled on your Imbi account");
  });

  test("API key created", async () => {
    const user = await createUser(t, { email: address("alertkey"), org });
    const { access_token } = await login(t, user);
    const response = await t.req("/api-keys", json({ name: "ci" }, bearer(access_token)));
    expect(response.status).toBe(201);
    const { key_id } = (await response.json()) as { key_id: string };
    const alert = bySubject(await waitForCaptured(user.email), "A new API key was created for your Imbi account");
    expect(alert.Text).toContain(key_id);
  });

  test("refresh-token reuse detected", async () => {
    const user = await createUser(t, { email: address("alertreuse"), org });
    const first = await login(t, user);
    expect((await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }))).status).toBe(200);
    expect((await t.req("/auth/token/refresh", json({ refresh_token: first.refresh_token }))).status).toBe(401);
    bySubject(await waitForCaptured(user.email), "Suspicious sign-in activity on your Imbi account");
  });
});

describe("email log", () => {
  test("every outcome is logged with a hashed recipient and its domain, never the address", async () => {
    await until(async () => (await emailLog(t)).some((r) => r.status === "sent") || undefined, "email_log rows");
    const rows = await emailLog(t);
    expect(rows.every((r) => r.recipient_hash.length === 64 && r.recipient_domain.length > 0)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("@mail.example.com");
    expect(rows.map((r) => r.template)).toContain("password_reset");
  });
});
