/**
 * Who an upstream identity signs in as: IMBI_AUTH_OAUTH_AUTO_LINK_BY_EMAIL and
 * IMBI_AUTH_OAUTH_AUTO_CREATE_USERS on and off, the verified-email rule, inactive users and
 * service accounts, and the security alert mailed when an identity joins an existing account.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { bearer, createUser, login, unique } from "../../helpers/identity.ts";
import { startFakeOidc, type FakeOidc } from "../../helpers/fake-idp.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { waitForCaptured } from "../email/helpers.ts";
import { LOGIN_ENV, loginThrough, putProvider, type Landed } from "./flow.ts";

let idp: FakeOidc;
beforeAll(async () => {
  idp = await startFakeOidc();
});
afterAll(() => idp.close());

interface Installation {
  t: TestApp;
  events: DomainEvent[];
}

async function installation(env: Record<string, string>): Promise<Installation> {
  const t = await startTestApp({ ...LOGIN_ENV, ...env });
  const events: DomainEvent[] = [];
  t.ctx.events.subscribe((e) => void events.push(e));
  const admin = (await login(t, await createUser(t, { isAdmin: true }))).access_token;
  expect((await putProvider(t, admin, "okta", {
    type: "oidc", name: "Okta", enabled: true, client_id: idp.clientId, client_secret: idp.clientSecret, issuer_url: idp.issuer,
  })).status).toBe(201);
  return { t, events };
}

const address = (prefix: string) => `${unique(prefix)}@mail.example.com`;
const reasonOf = (events: DomainEvent[]) => events.filter((e) => e.type === "oauth_login.failed").at(-1)?.detail?.reason;
const identities = async (t: TestApp, userId: string) =>
  (await t.infra.sql<{ count: number }[]>`select count(*)::int as count from oauth_identities where user_id = ${userId}`)[0]!.count;

async function signedInAs(t: TestApp, landed: Landed): Promise<string> {
  const me = await t.req("/users/me", { headers: bearer(landed.fragment.get("access_token")!) });
  expect(me.status).toBe(200);
  return ((await me.json()) as { email: string }).email;
}

describe("defaults: link by email on, create users on", () => {
  let i: Installation;
  beforeAll(async () => {
    i = await installation({});
  });
  afterAll(() => i.t.close());

  test("a verified email links to the existing user, whose password keeps working; the user is alerted by mail", async () => {
    const existing = await createUser(i.t, { email: address("linked") });
    idp.user = { sub: unique("sub-"), email: existing.email.toUpperCase(), email_verified: true, name: "Linked" };
    const landed = await loginThrough(i.t, "okta");
    expect((await signedInAs(i.t, landed)).toLowerCase()).toBe(existing.email);
    expect(await identities(i.t, existing.id)).toBe(1);
    expect(i.events.find((e) => e.type === "oauth_identity.linked" && e.actor_id === existing.id)?.detail).toEqual({ provider: "okta", user_created: false });
    await login(i.t, existing);

    await i.t.ctx.email.settle();
    const queued = await i.t.infra.sql<{ template: string }[]>`select template from email_outbox where recipient = ${existing.email}`;
    expect(queued.map((r) => r.template)).toEqual(["alert_oauth_identity_linked"]);
    const [alert] = await waitForCaptured(existing.email);
    expect(alert!.Subject).toBe("A new sign-in method was linked to your Imbi account");
    expect(alert!.Text).toContain("okta");
  });

  test("an unverified email never links to an existing user", async () => {
    const existing = await createUser(i.t, { email: address("unverified") });
    idp.user = { sub: unique("sub-"), email: existing.email, email_verified: false };
    const landed = await loginThrough(i.t, "okta");
    expect(landed.query.get("error")).toBe("authentication_failed");
    expect(reasonOf(i.events)).toBe("email_not_verified");
    expect(await identities(i.t, existing.id)).toBe(0);
  });

  test("a new email creates a user without a password and no alert (nothing existed to protect)", async () => {
    const email = address("created");
    idp.user = { sub: unique("sub-"), email, email_verified: false, name: "Fresh" };
    const landed = await loginThrough(i.t, "okta");
    expect(await signedInAs(i.t, landed)).toBe(email);
    const [row] = await i.t.infra.sql<{ password_hash: string | null; email_verified: boolean; display_name: string }[]>`
      select password_hash, email_verified, display_name from users where email = ${email}`;
    expect(row).toEqual({ password_hash: null, email_verified: false, display_name: "Fresh" });
    const created = i.events.find((e) => e.type === "oauth_identity.linked" && e.actor_name === email);
    expect(created?.detail).toEqual({ provider: "okta", user_created: true });
    await i.t.ctx.email.settle();
    expect((await i.t.infra.sql`select template from email_outbox where recipient = ${email}`).length).toBe(0);
  });

  test("inactive users and service-account users cannot sign in this way", async () => {
    for (const [prefix, flags] of [["inactive", { isActive: false }], ["legacy-sa", {}]] as const) {
      const user = await createUser(i.t, { email: address(prefix), ...flags });
      if (prefix === "legacy-sa") await i.t.infra.sql`update users set is_service_account = true where id = ${user.id}`;
      idp.user = { sub: unique("sub-"), email: user.email, email_verified: true };
      const landed = await loginThrough(i.t, "okta");
      expect(landed.query.get("error")).toBe("authentication_failed");
      expect(reasonOf(i.events)).toBe("user_inactive");
      expect(await identities(i.t, user.id)).toBe(0);
    }
  });

  test("an identity already linked to an inactive user stops working", async () => {
    const user = await createUser(i.t, { email: address("deactivated") });
    const sub = unique("sub-");
    idp.user = { sub, email: user.email, email_verified: true };
    expect((await loginThrough(i.t, "okta")).fragment.get("access_token")).toBeString();
    await i.t.infra.sql`update users set is_active = false where id = ${user.id}`;
    expect((await loginThrough(i.t, "okta")).query.get("error")).toBe("authentication_failed");
    expect(reasonOf(i.events)).toBe("user_inactive");
  });
});

describe("IMBI_AUTH_OAUTH_AUTO_LINK_BY_EMAIL=false", () => {
  let i: Installation;
  beforeAll(async () => {
    i = await installation({ IMBI_AUTH_OAUTH_AUTO_LINK_BY_EMAIL: "false" });
  });
  afterAll(() => i.t.close());

  test("an existing user is not linked, even with a verified email; a new email still creates a user", async () => {
    const existing = await createUser(i.t, { email: address("nolink") });
    idp.user = { sub: unique("sub-"), email: existing.email, email_verified: true };
    const refused = await loginThrough(i.t, "okta");
    expect(refused.query.get("error")).toBe("authentication_failed");
    expect(reasonOf(i.events)).toBe("auto_link_disabled");
    expect(await identities(i.t, existing.id)).toBe(0);

    const email = address("nolink-new");
    idp.user = { sub: unique("sub-"), email, email_verified: true };
    expect(await signedInAs(i.t, await loginThrough(i.t, "okta"))).toBe(email);
  });
});

describe("IMBI_AUTH_OAUTH_AUTO_CREATE_USERS=false", () => {
  let i: Installation;
  beforeAll(async () => {
    i = await installation({ IMBI_AUTH_OAUTH_AUTO_CREATE_USERS: "false" });
  });
  afterAll(() => i.t.close());

  test("an unknown email is refused and no user is made; a pre-provisioned user still links", async () => {
    const email = address("nocreate");
    idp.user = { sub: unique("sub-"), email, email_verified: true };
    const refused = await loginThrough(i.t, "okta");
    expect(refused.query.get("error")).toBe("authentication_failed");
    expect(reasonOf(i.events)).toBe("auto_create_disabled");
    expect((await i.t.infra.sql`select 1 from users where email = ${email}`).length).toBe(0);

    const provisioned = await createUser(i.t, { email: address("provisioned") });
    idp.user = { sub: unique("sub-"), email: provisioned.email, email_verified: true };
    expect(await signedInAs(i.t, await loginThrough(i.t, "okta"))).toBe(provisioned.email);
  });
});
