/**
 * The shape shared by the catalog's organization-scoped entities (teams, environments,
 * project types, tags, link definitions): a row in `table` with name, slug, optional
 * description/icon, a few typed columns of its own, and blueprint `attributes`. One spec
 * per entity drives the repo and the CRUD routes (org-resource-routes.ts).
 */
import type { TSchema } from "@sinclair/typebox";
import type { Database } from "../../infra/postgres.ts";
import type { RuleProblem } from "./document.ts";

export interface RelationshipSpec {
  key: string;
  href: (org: string, slug: string, prefix: string) => string;
  count: (sql: Database, row: { id: string; slug: string; organization_id: string }) => Promise<number>;
}

export interface DependentSpec {
  /** Plural label used in the 409 message, e.g. "projects". */
  label: string;
  count: (sql: Database, id: string) => Promise<number>;
}

export interface OrgResourceSpec {
  /** URL segment under /organizations/{org_slug}/, e.g. "project-types". */
  segment: string;
  table: string;
  /** Singular display name for messages: "Team with slug 'x' not found". */
  label: string;
  permissions: { create: string; read: string; update: string; delete: string };
  /** Entity columns beyond name/slug/description/icon, each a plain TypeBox schema with its default. */
  fields: Record<string, TSchema>;
  hasIcon: boolean;
  /** A slug may be omitted on create and derived from the name (tags). */
  slugFromName?: boolean;
  /** SQL ORDER BY for lists (trusted constant). */
  orderBy: string;
  /** A rule across fields; returns the offending field (a JSON pointer tail) and a message. */
  check?: (doc: Record<string, unknown>) => RuleProblem | undefined;
  relationships: RelationshipSpec[];
  /** What must be gone before a delete (D2: refuse with 409 naming them). */
  dependents: DependentSpec[];
}

/** count(*) of `table` rows whose `column` = id: the common relationship and dependent count. */
export function countWhere(table: string, column: string) {
  return async (sql: Database, id: string): Promise<number> => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)} where ${sql(column)} = ${id}`;
    return row!.n;
  };
}
