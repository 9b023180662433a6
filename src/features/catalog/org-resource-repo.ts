/** SQL for organization-scoped entities described by an OrgResourceSpec. */
import type { Database } from "../../infra/postgres.ts";
import type { OrgResourceSpec } from "./spec.ts";
import { storable } from "./document.ts";

export type ResourceRow = Record<string, unknown> & {
  id: string;
  organization_id: string;
  slug: string;
  attributes: Record<string, unknown>;
};

export interface OrgRow {
  id: string;
  slug: string;
  name: string;
}

export async function findOrganization(sql: Database, slug: string): Promise<OrgRow | undefined> {
  if (!storable(slug)) return undefined;
  const [row] = await sql<OrgRow[]>`select id, slug, name from organizations where slug = ${slug}`;
  return row;
}

export function listResources(sql: Database, spec: OrgResourceSpec, orgId: string): Promise<ResourceRow[]> {
  return sql<ResourceRow[]>`select * from ${sql(spec.table)} where organization_id = ${orgId} order by ${sql.unsafe(spec.orderBy)}`;
}

export async function findResource(sql: Database, spec: OrgResourceSpec, orgId: string, slug: string): Promise<ResourceRow | undefined> {
  if (!storable(slug)) return undefined;
  const [row] = await sql<ResourceRow[]>`select * from ${sql(spec.table)} where organization_id = ${orgId} and slug = ${slug}`;
  return row;
}

export async function insertResource(sql: Database, spec: OrgResourceSpec, values: Record<string, unknown>): Promise<ResourceRow> {
  const [row] = await sql<ResourceRow[]>`insert into ${sql(spec.table)} ${sql(values as Record<string, never>)} returning *`;
  return row!;
}

export async function updateResource(sql: Database, spec: OrgResourceSpec, id: string, values: Record<string, unknown>): Promise<ResourceRow> {
  const [row] = await sql<ResourceRow[]>`
    update ${sql(spec.table)} set ${sql({ ...values, updated_at: new Date() } as unknown as Record<string, never>)} where id = ${id} returning *`;
  return row!;
}

export async function deleteResource(sql: Database, spec: OrgResourceSpec, id: string): Promise<void> {
  await sql`delete from ${sql(spec.table)} where id = ${id}`;
}
