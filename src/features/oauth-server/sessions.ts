/** Which OAuth client a session (refresh-token family) belongs to: set once, at the code exchange. */
import type { Database } from "../../infra/postgres.ts";

export async function bindSessionToClient(sql: Database, sessionId: string, clientId: string): Promise<void> {
  await sql`update sessions set oauth_client_id = ${clientId} where id = ${sessionId}`;
}

export async function sessionClient(sql: Database, sessionId: string): Promise<string | null> {
  const [row] = await sql<{ oauth_client_id: string | null }[]>`select oauth_client_id from sessions where id = ${sessionId}`;
  return row?.oauth_client_id ?? null;
}
