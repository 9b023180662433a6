/**
 * Test factories for identity: organizations, users with a role in an organization,
 * service accounts, and logging in. They write through SQL (or the real login route), so
 * tests set up state quickly and then exercise the route under test over HTTP.
 */
import { newId } from "../../src/lib/ids.ts";
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
