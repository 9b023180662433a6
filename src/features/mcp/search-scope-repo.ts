/** Which organizations a cross-organization search visits for a system admin: all of them. */
import type { Database } from "../../infra/postgres.ts";

export async function allOrganizationSlugs(sql: Database): Promise<string[]> {
  const rows = await sql<{ slug: string }[]>`select slug from organizations order by slug`;
  return rows.map((row) => row.slug);
}
