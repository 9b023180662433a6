/**
 * Principals for the users/roles/admin route tests: a user (with a role in an organization)
 * and their bearer headers, custom roles, and the 401/403 checks every route gets.
 */
import { expect } from "bun:test";
import { newId } from "../../../src/lib/ids.ts";
import type { TestApp } from "../../helpers/app.ts";
import { bearer, createUser, login, send, unique, type TestUser } from "../../helpers/identity.ts";

export interface Caller extends TestUser {
  headers: Record<string, string>;
  sessionToken: string;
}

/** A user with `role` in `org` (or none), logged in. */
export async function caller(
  t: TestApp, options: { org?: { id: string }; role?: string; isAdmin?: boolean; email?: string } = {},
): Promise<Caller> {
  const user = await createUser(t, options);
  const tokens = await login(t, user);
  return { ...user, headers: bearer(tokens.access_token), sessionToken: tokens.access_token };
}

/** A custom (non-system) role granting `permissions`, optionally inheriting from `parent`. */
export async function createRole(
  t: TestApp, permissions: string[] = [], options: { slug?: string; parent?: string; priority?: number } = {},
): Promise<{ id: string; slug: string }> {
  const id = newId();
  const slug = options.slug ?? unique("role-");
  await t.infra.sql`insert into roles (id, slug, name, priority, parent_role_id)
    values (${id}, ${slug}, ${`Role ${slug}`}, ${options.priority ?? 0},
      (select id from roles where slug = ${options.parent ?? null}))`;
  if (permissions.length) {
    await t.infra.sql`insert into role_permissions ${t.infra.sql(permissions.map((permission_name) => ({ role_id: id, permission_name })))}`;
  }
  return { id, slug };
}

export async function addMembership(t: TestApp, userId: string, orgId: string, role: string): Promise<void> {
  await t.infra.sql`insert into organization_memberships (organization_id, user_id, role_id)
    select ${orgId}, ${userId}, id from roles where slug = ${role}`;
}

export const body = async <T = Record<string, unknown>>(response: Response): Promise<T> => (await response.json()) as T;

/** Sends the request without credentials, then with a bad token: both must be 401. */
export async function expectUnauthenticated(t: TestApp, path: string, method: string, payload?: unknown): Promise<void> {
  const anonymous = await t.req(path, send(method, payload));
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
  const forged = await t.req(path, send(method, payload, { authorization: "Bearer not-a-real-token" }));
  expect(forged.status).toBe(401);
  const wrongKey = await t.req(path, send(method, payload, { authorization: `Bearer ik_${"0".repeat(32)}_${"x".repeat(43)}` }));
  expect(wrongKey.status).toBe(401);
}

/** The permission macro's 403 for a caller lacking `permission`. */
export async function expectDenied(
  t: TestApp, path: string, method: string, headers: Record<string, string>, permission: string, payload?: unknown,
): Promise<void> {
  const response = await t.req(path, send(method, payload, headers));
  expect(response.status).toBe(403);
  expect(await response.json()).toEqual({ detail: `Permission denied: ${permission} required` });
}

export const patch = (operations: unknown, headers: Record<string, string>) => send("PATCH", operations, headers);
