/** oauth_providers: SQL and row → read-model mapping (the ciphertext never leaves as such). */
import type { Database } from "../../infra/postgres.ts";
import type { ProviderRead, ProviderType } from "./model.ts";

export interface ProviderRow {
  slug: string;
  type: ProviderType;
  name: string;
  enabled: boolean;
  client_id: string | null;
  client_secret_encrypted: string | null;
  issuer_url: string | null;
  allowed_domains: string[];
  icon: string;
  created_at: Date;
  updated_at: Date;
}

export type ProviderValues = Omit<ProviderRow, "created_at" | "updated_at">;

export function toProviderRead(row: ProviderRow): ProviderRead {
  return {
    slug: row.slug, type: row.type, name: row.name, enabled: row.enabled, client_id: row.client_id,
    has_secret: row.client_secret_encrypted !== null, issuer_url: row.issuer_url, allowed_domains: row.allowed_domains,
    icon: row.icon, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
  };
}

export async function selectProviders(sql: Database, enabledOnly: boolean): Promise<ProviderRow[]> {
  return enabledOnly
    ? sql<ProviderRow[]>`select * from oauth_providers where enabled order by slug`
    : sql<ProviderRow[]>`select * from oauth_providers order by slug`;
}

export async function selectProvider(sql: Database, slug: string): Promise<ProviderRow | undefined> {
  const [row] = await sql<ProviderRow[]>`select * from oauth_providers where slug = ${slug}`;
  return row;
}

/** Insert or replace; `created` tells which (xmax = 0 only for a freshly inserted row). */
export async function upsertProvider(sql: Database, values: ProviderValues): Promise<{ row: ProviderRow; created: boolean }> {
  const [row] = await sql<(ProviderRow & { created: boolean })[]>`
    insert into oauth_providers ${sql(values)}
    on conflict (slug) do update set
      type = excluded.type, name = excluded.name, enabled = excluded.enabled, client_id = excluded.client_id,
      client_secret_encrypted = excluded.client_secret_encrypted, issuer_url = excluded.issuer_url,
      allowed_domains = excluded.allowed_domains, icon = excluded.icon, updated_at = now()
    returning *, (xmax = 0) as created`;
  const { created, ...provider } = row!;
  return { row: provider, created };
}

export async function setProviderEnabled(sql: Database, slug: string, enabled: boolean): Promise<ProviderRow | undefined> {
  const [row] = await sql<ProviderRow[]>`update oauth_providers set enabled = ${enabled}, updated_at = now() where slug = ${slug} returning *`;
  return row;
}

export async function deleteProvider(sql: Database, slug: string): Promise<boolean> {
  const rows = await sql`delete from oauth_providers where slug = ${slug} returning slug`;
  return rows.length === 1;
}
