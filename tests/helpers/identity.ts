/**
 * Test factories for identity: organizations, users with a role in an organization,
 * service accounts, and logging in. They write through SQL (or the real login route), so
 * tests set up state quickly and then exercise the route under test over HTTP.
 */
import { newId } from "../../src/lib/ids.ts";
import { newApiKeyId, newClientId, newSecret } from "../../src/lib/ids.ts";
import { hashSecret } from "../../src/lib/secrets.ts";
import type { TestApp } from "./app.ts";

export const PASSWORD = "Correct-Horse-9-Battery";

let counter = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createOrg(t: TestApp, slug = unique("org")): Promise<{ id: string; slug: string }> {
  const id = newId();
  await t.infra.sql`insert into organizations (id, slug, name) values (${id}, ${slug}, ${slug.toUpperCase()})`;
  return { id, slug };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export async function createUser(
  t: TestApp,
  options: { email?: string; password?: string | null; isAdmin?: boolean; isActive?: boolean; org?: { id: string }; role?: string } = {},
): Promise<TestUser> {
  const id = newId();
  const email = options.email ?? `${unique("user")}@example.com`;
  const password = options.password === undefined ? PASSWORD : options.password;
  const hash = password ? await Bun.password.hash(password, { algorithm: "argon2id", memoryCost: 4096, timeCost: 1 }) : null;
  await t.infra.sql`insert into users (id, email, display_name, password_hash, is_admin, is_active)
    values (${id}, ${email}, ${email.split("@")[0]!}, ${hash}, ${options.isAdmin ?? false}, ${options.isActive ?? true})`;
  if (options.org) {
    await t.infra.sql`insert into organization_memberships (organization_id, user_id, role_id)
      select ${options.org.id}, ${id}, id from roles where slug = ${options.role ?? "developer"}`;
  }
  return { id, email, password: password ?? "" };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers },
});

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function login(t: TestApp, user: { email: string; password: string }, mfa_code?: string) {
  const response = await t.req("/auth/login", json({ email: user.email, password: user.password, ...(mfa_code ? { mfa_code } : {}) }));
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { access_token: string; refresh_token: string; expires_in: number };
}

export async function createServiceAccount(
  t: TestApp,
  options: { slug?: string; isActive?: boolean; org?: { id: string }; role?: string } = {},
): Promise<{ id: string; slug: string }> {
  const id = newId();
  const slug = options.slug ?? unique("sa-");
  await t.infra.sql`insert into service_accounts (id, slug, display_name, is_active)
    values (${id}, ${slug}, ${slug.toUpperCase()}, ${options.isActive ?? true})`;
  if (options.org) {
    await t.infra.sql`insert into service_account_memberships (organization_id, service_account_id, role_id)
      select ${options.org.id}, ${id}, id from roles where slug = ${options.role ?? "developer"}`;
  }
  return { id, slug };
}

/** An API key written straight to the table; `key` is the full `ik_…_secret` bearer value. */
export async function createApiKey(
  t: TestApp,
  owner: { userId: string } | { serviceAccountId: string },
  options: { scopes?: string[]; expiresAt?: Date; revoked?: boolean } = {},
): Promise<{ keyId: string; key: string }> {
  const keyId = newApiKeyId();
  const secret = newSecret();
  await t.infra.sql`insert into api_keys (key_id, secret_hash, user_id, service_account_id, name, scopes, expires_at, revoked)
    values (${keyId}, ${hashSecret(secret)}, ${"userId" in owner ? owner.userId : null},
      ${"serviceAccountId" in owner ? owner.serviceAccountId : null}, 'test key', ${options.scopes ?? []},
      ${options.expiresAt ?? new Date(Date.now() + 86_400_000)}, ${options.revoked ?? false})`;
  return { keyId, key: `${keyId}_${secret}` };
}

/** A client credential written straight to the table. */
export async function createClientCredential(
  t: TestApp, serviceAccountId: string,
  options: { scopes?: string[]; expiresAt?: Date; revoked?: boolean } = {},
): Promise<{ clientId: string; clientSecret: string }> {
  const clientId = newClientId();
  const clientSecret = newSecret();
  await t.infra.sql`insert into client_credentials (client_id, secret_hash, service_account_id, name, scopes, expires_at, revoked)
    values (${clientId}, ${hashSecret(clientSecret)}, ${serviceAccountId}, 'test credential', ${options.scopes ?? []},
      ${options.expiresAt ?? new Date(Date.now() + 86_400_000)}, ${options.revoked ?? false})`;
  return { clientId, clientSecret };
}

/** A request with a method and an optional JSON body (json() is POST only). */
export const send = (method: string, body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
});
