/** SQL for client credentials (`cc_…` id + secret stored as SHA-256), always owned by a service account. */
import { toIso } from "../../lib/time.ts";
import type { Database } from "../../infra/postgres.ts";
import type { ClientCredential } from "./model.ts";

interface CredentialRow {
  client_id: string;
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

const COLUMNS = "client_id, name, description, scopes, created_at, expires_at, last_used, last_rotated, revoked, revoked_at";

function toCredentialJson(row: CredentialRow): ClientCredential {
  return {
    client_id: row.client_id, name: row.name, description: row.description, scopes: row.scopes,
    created_at: row.created_at.toISOString(), expires_at: row.expires_at.toISOString(),
    last_used: toIso(row.last_used), last_rotated: toIso(row.last_rotated), revoked: row.revoked, revoked_at: toIso(row.revoked_at),
  };
}

export async function insertCredential(
  sql: Database, accountId: string,
  credential: { clientId: string; secretHash: string; name: string; description: string | null; scopes: string[]; expiresAt: Date },
): Promise<ClientCredential> {
  const [row] = await sql<CredentialRow[]>`
    insert into client_credentials ${sql({
      client_id: credential.clientId, secret_hash: credential.secretHash, service_account_id: accountId,
      name: credential.name, description: credential.description, scopes: credential.scopes, expires_at: credential.expiresAt,
    })}
    returning ${sql.unsafe(COLUMNS)}`;
  return toCredentialJson(row!);
}

export async function listCredentials(sql: Database, accountId: string): Promise<ClientCredential[]> {
  const rows = await sql<CredentialRow[]>`
    select ${sql.unsafe(COLUMNS)} from client_credentials where service_account_id = ${accountId}
    order by created_at desc, client_id`;
  return rows.map(toCredentialJson);
}

export async function findCredential(sql: Database, accountId: string, clientId: string): Promise<ClientCredential | undefined> {
  const [row] = await sql<CredentialRow[]>`
    select ${sql.unsafe(COLUMNS)} from client_credentials where client_id = ${clientId} and service_account_id = ${accountId}`;
  return row && toCredentialJson(row);
}

export async function revokeCredential(sql: Database, accountId: string, clientId: string): Promise<boolean> {
  const rows = await sql`
    update client_credentials set revoked = true, revoked_at = coalesce(revoked_at, now())
    where client_id = ${clientId} and service_account_id = ${accountId}`;
  return rows.count > 0;
}

export async function rotateCredentialSecret(sql: Database, accountId: string, clientId: string, secretHash: string): Promise<ClientCredential | undefined> {
  const [row] = await sql<CredentialRow[]>`
    update client_credentials set secret_hash = ${secretHash}, last_rotated = now()
    where client_id = ${clientId} and service_account_id = ${accountId} and not revoked
    returning ${sql.unsafe(COLUMNS)}`;
  return row && toCredentialJson(row);
}

export interface ClientLookup {
  client_id: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Date;
  revoked: boolean;
  account_id: string;
  account_slug: string;
  account_active: boolean;
}

/** For the token endpoint: the credential and its account, by client id alone. */
export async function findClientForAuthentication(sql: Database, clientId: string): Promise<ClientLookup | undefined> {
  const [row] = await sql<ClientLookup[]>`
    select c.client_id, c.secret_hash, c.scopes, c.expires_at, c.revoked,
           a.id as account_id, a.slug as account_slug, a.is_active as account_active
    from client_credentials c join service_accounts a on a.id = c.service_account_id
    where c.client_id = ${clientId}`;
  return row;
}

export async function touchCredential(sql: Database, clientId: string): Promise<void> {
  await sql`update client_credentials set last_used = now() where client_id = ${clientId}`;
}
