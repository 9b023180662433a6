/**
 * Catalog test fixtures: a cast of principals around two organizations, request helpers
 * for JSON bodies and JSON Patch, and SQL factories for the projects tables (projects
 * routes come later; counts and delete conflicts are checked with rows written here).
 */
import { expect } from "bun:test";
import { newId } from "../../src/lib/ids.ts";
import { hashSecret } from "../../src/lib/secrets.ts";
import type { TestApp } from "./app.ts";
import { bearer, createOrg, createUser, login, unique, type TestUser } from "./identity.ts";

export interface Actor {
  user: TestUser;
  token: string;
  headers: Record<string, string>;
}

export async function actor(t: TestApp, options: Parameters<typeof createUser>[1] = {}): Promise<Actor> {
  const user = await createUser(t, options);
  const { access_token } = await login(t, user);
  return { user, token: access_token, headers: bearer(access_token) };
}

/**
 * org A with an admin-role member, a developer and a readonly member; org B whose admin-role
 * and developer members hold nothing in A; a system admin (is_admin, no membership).
 */
export interface Cast {
  orgA: { id: string; slug: string };
  orgB: { id: string; slug: string };
  adminA: Actor;
  developerA: Actor;
  readonlyA: Actor;
  adminB: Actor;
  developerB: Actor;
  system: Actor;
}

export async function createCast(t: TestApp): Promise<Cast> {
  const orgA = await createOrg(t);
  const orgB = await createOrg(t);
  const [adminA, developerA, readonlyA, adminB, developerB, system] = await Promise.all([
    actor(t, { org: orgA, role: "admin" }),
    actor(t, { org: orgA, role: "developer" }),
    actor(t, { org: orgA, role: "readonly" }),
    actor(t, { org: orgB, role: "admin" }),
    actor(t, { org: orgB, role: "developer" }),
    actor(t, { isAdmin: true }),
  ]);
  return { orgA, orgB, adminA, developerA, readonlyA, adminB, developerB, system };
}

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** A request with an optional JSON body (a string body is sent as is: malformed JSON tests). */
export function call(method: Method, body?: unknown, headers: Record<string, string> = {}): RequestInit {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  return init;
}

export interface Sent {
  status: number;
  body: any;
  headers: Headers;
}

export async function send(t: TestApp, method: Method, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const response = await t.req(path, call(method, body, headers));
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch { /* not JSON: keep the text */ }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The 422 shape of D2: a list of {type, loc, msg, input?}. */
export function expect422(sent: Sent, field?: string): void {
  expect(sent.status).toBe(422);
  expect(Array.isArray(sent.body.detail)).toBe(true);
  for (const item of sent.body.detail) {
    expect(typeof item.type).toBe("string");
    expect(Array.isArray(item.loc)).toBe(true);
    expect(typeof item.msg).toBe("string");
  }
  if (field) expect(sent.body.detail.map((d: { loc: unknown[] }) => d.loc.join("."))).toContainEqual(expect.stringContaining(field));
}

export const randomSlug = (prefix = "x") => unique(prefix).toLowerCase();

// ---- SQL factories for the projects tables -------------------------------------------------

export async function insertTeam(t: TestApp, orgId: string, slug = randomSlug("team")): Promise<{ id: string; slug: string }> {
  const id = newId();
  await t.infra.sql`insert into teams (id, organization_id, slug, name) values (${id}, ${orgId}, ${slug}, ${slug})`;
  return { id, slug };
}

export async function insertProject(
  t: TestApp,
  options: { orgId: string; teamId: string; links?: Record<string, string>; projectTypeIds?: string[]; environmentIds?: string[] },
): Promise<string> {
  const id = newId();
  const slug = randomSlug("proj");
  const { sql } = t.infra;
  await sql`insert into projects (id, organization_id, team_id, slug, name, links)
            values (${id}, ${options.orgId}, ${options.teamId}, ${slug}, ${slug}, ${sql.json(options.links ?? {})})`;
  for (const typeId of options.projectTypeIds ?? []) {
    await sql`insert into project_project_types (project_id, project_type_id) values (${id}, ${typeId})`;
  }
  for (const envId of options.environmentIds ?? []) {
    await sql`insert into project_environments (project_id, environment_id) values (${id}, ${envId})`;
  }
  return id;
}

export async function idOf(t: TestApp, table: string, orgId: string, slug: string): Promise<string> {
  const [row] = await t.infra.sql<{ id: string }[]>`select id from ${t.infra.sql(table)} where organization_id = ${orgId} and slug = ${slug}`;
  if (!row) throw new Error(`no ${table} row ${slug}`);
  return row.id;
}

/** A service account with a role in `org` and an API key: { headers } authenticate as it. */
export async function serviceAccount(t: TestApp, org: { id: string }, role = "admin"): Promise<{ id: string; slug: string; headers: Record<string, string> }> {
  const { sql } = t.infra;
  const id = newId();
  const slug = randomSlug("sa");
  await sql`insert into service_accounts (id, slug, display_name) values (${id}, ${slug}, ${slug})`;
  await sql`insert into service_account_memberships (organization_id, service_account_id, role_id)
            select ${org.id}, ${id}, id from roles where slug = ${role}`;
  const keyId = `ik_${crypto.randomUUID().replaceAll("-", "")}`;
  const secret = `${newId()}${newId()}`;
  await sql`insert into api_keys (key_id, secret_hash, service_account_id, name, expires_at)
            values (${keyId}, ${hashSecret(secret)}, ${id}, 'test', now() + interval '1 day')`;
  return { id, slug, headers: bearer(`${keyId}_${secret}`) };
}
