/** SQL for api_keys (owned by a user or a service account) and the seeded permission names. */
import { toIso } from "../../lib/time.ts";
import type { Database } from "../../infra/postgres.ts";
import type { ApiKey } from "./model.ts";

export interface KeyOwner {
  kind: "user" | "service_account";
  id: string;
}

interface ApiKeyRow {
  key_id: string;
  name: string;
  description: string | null;
  scopes: string[];
  created_at: Date;
  expires_at: Date;
  last_used: Date | null;
  last_rotated: Date | null;
  revoked: boolean;
  revoked_at: Date | null;
}


export function toApiKeyJson(row: ApiKeyRow): ApiKey {
  return {
    key_id: row.key_id, name: row.name, description: row.description, scopes: row.scopes,
    created_at: row.created_at.toISOString(), expires_at: row.expires_at.toISOString(),
    last_used: toIso(row.last_used), last_rotated: toIso(row.last_rotated), revoked: row.revoked, revoked_at: toIso(row.revoked_at),
  };
}

const ownerColumn = (owner: KeyOwner) => (owner.kind === "user" ? "user_id" : "service_account_id");
const COLUMNS = "key_id, name, description, scopes, created_at, expires_at, last_used, last_rotated, revoked, revoked_at";

/** The names in `names` that are not seeded permissions. */
export async function findUnknownPermissions(sql: Database, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const known = await sql<{ name: string }[]>`select name from permissions where name in ${sql(names)}`;
  const set = new Set(known.map((r) => r.name));
  return names.filter((n) => !set.has(n));
}

export async function insertApiKey(
  sql: Database, owner: KeyOwner,
  key: { keyId: string; secretHash: string; name: string; description: string | null; scopes: string[]; expiresAt: Date },
): Promise<ApiKey> {
  const [row] = await sql<ApiKeyRow[]>`
    insert into api_keys ${sql({
      key_id: key.keyId, secret_hash: key.secretHash, [ownerColumn(owner)]: owner.id,
      name: key.name, description: key.description, scopes: key.scopes, expires_at: key.expiresAt,
    })}
    returning ${sql.unsafe(COLUMNS)}`;
  return toApiKeyJson(row!);
}

export async function listApiKeys(sql: Database, owner: KeyOwner): Promise<ApiKey[]> {
  const rows = await sql<ApiKeyRow[]>`
    select ${sql.unsafe(COLUMNS)} from api_keys where ${sql(ownerColumn(owner))} = ${owner.id}
    order by created_at desc, key_id`;
  return rows.map(toApiKeyJson);
}

export async function findApiKey(sql: Database, owner: KeyOwner, keyId: string): Promise<ApiKey | undefined> {
  const [row] = await sql<ApiKeyRow[]>`
    select ${sql.unsafe(COLUMNS)} from api_keys where key_id = ${keyId} and ${sql(ownerColumn(owner))} = ${owner.id}`;
  return row && toApiKeyJson(row);
}

/** Soft revoke; the first revocation time is kept. False when the owner has no such key. */
export async function revokeApiKey(sql: Database, owner: KeyOwner, keyId: string): Promise<boolean> {
  const rows = await sql`
    update api_keys set revoked = true, revoked_at = coalesce(revoked_at, now())
    where key_id = ${keyId} and ${sql(ownerColumn(owner))} = ${owner.id}`;
  return rows.count > 0;
}

/** Swaps the secret of a live key in one statement, so a concurrent revoke cannot be undone. */
export async function rotateApiKeySecret(sql: Database, owner: KeyOwner, keyId: string, secretHash: string): Promise<ApiKey | undefined> {
  const [row] = await sql<ApiKeyRow[]>`
    update api_keys set secret_hash = ${secretHash}, last_rotated = now()
    where key_id = ${keyId} and ${sql(ownerColumn(owner))} = ${owner.id} and not revoked
    returning ${sql.unsafe(COLUMNS)}`;
  return row && toApiKeyJson(row);
}
