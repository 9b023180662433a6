/** Clients registered through RFC 7591 (table oauth_clients). */
import type { Database } from "../../infra/postgres.ts";

export interface RegisteredClientRow {
  client_id: string;
  client_name: string | null;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope: string | null;
  created_at: Date;
}

export async function insertClient(sql: Database, row: Omit<RegisteredClientRow, "created_at">): Promise<RegisteredClientRow> {
  const [created] = await sql<RegisteredClientRow[]>`insert into oauth_clients ${sql(row)} returning *`;
  return created!;
}

export async function findRegisteredClient(sql: Database, clientId: string): Promise<RegisteredClientRow | undefined> {
  const [row] = await sql<RegisteredClientRow[]>`select * from oauth_clients where client_id = ${clientId}`;
  return row;
}
