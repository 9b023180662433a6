/** Blueprint SQL, and the slugs a project's blueprint filters are matched against. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";
import type { Filter } from "./model.ts";
import type { JsonSchema } from "./json-schema.ts";

type Sql = Database | TransactionSql;

export interface BlueprintRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  kind: "node" | "relationship";
  type: string | null;
  source: string | null;
  target: string | null;
  edge: string | null;
  enabled: boolean;
  priority: number;
  filter: Filter | null;
  json_schema: JsonSchema;
  version: number;
  created_at: Date;
  updated_at: Date | null;
}

export type BlueprintValues = Omit<BlueprintRow, "created_at" | "updated_at" | "version" | "id">;

const jsonb = (sql: Sql, values: BlueprintValues) => ({
  ...values, filter: values.filter === null ? null : sql.json(values.filter as never), json_schema: sql.json(values.json_schema as never),
});

/** `type` = a node type, "relationship", or undefined for all. */
export function listBlueprints(sql: Sql, type: string | undefined, enabled: boolean | undefined): Promise<BlueprintRow[]> {
  const byType = type === undefined ? sql`` : type === "relationship" ? sql`and kind = 'relationship'` : sql`and kind = 'node' and type = ${type}`;
  const byEnabled = enabled === undefined ? sql`` : sql`and enabled = ${enabled}`;
  return sql<BlueprintRow[]>`select * from blueprints where true ${byType} ${byEnabled} order by name, slug`;
}

export async function findBlueprint(sql: Sql, type: string, slug: string): Promise<BlueprintRow | undefined> {
  const [row] = type === "relationship"
    ? await sql<BlueprintRow[]>`select * from blueprints where kind = 'relationship' and slug = ${slug}`
    : await sql<BlueprintRow[]>`select * from blueprints where kind = 'node' and type = ${type} and slug = ${slug}`;
  return row;
}

export async function insertBlueprint(sql: Sql, id: string, values: BlueprintValues): Promise<BlueprintRow> {
  const [row] = await sql<BlueprintRow[]>`insert into blueprints ${sql({ id, ...jsonb(sql, values) } as never)} returning *`;
  return row!;
}

/** Writes the new values and bumps `version`. */
export async function updateBlueprint(sql: Sql, id: string, values: BlueprintValues): Promise<BlueprintRow> {
  const [row] = await sql<BlueprintRow[]>`
    update blueprints set ${sql({ ...jsonb(sql, values), updated_at: new Date() } as never)}, version = version + 1
    where id = ${id} returning *`;
  return row!;
}

export async function deleteBlueprint(sql: Sql, id: string): Promise<void> {
  await sql`delete from blueprints where id = ${id}`;
}

/** Enabled node blueprints for an entity type, lowest priority first (later ones win, §13.3). */
export function enabledNodeBlueprints(sql: Sql, type: string): Promise<BlueprintRow[]> {
  return sql<BlueprintRow[]>`select * from blueprints where enabled and kind = 'node' and type = ${type} order by priority, name, id`;
}

/** Enabled relationship blueprints for source -[edge]-> target, lowest priority first. */
export function enabledEdgeBlueprints(sql: Sql, source: string, target: string, edge: string): Promise<BlueprintRow[]> {
  return sql<BlueprintRow[]>`
    select * from blueprints where enabled and kind = 'relationship' and source = ${source} and target = ${target} and edge = ${edge}
    order by priority, name, id`;
}

/** The project type and environment slugs of a project (what blueprint filters match). */
export async function projectSlugs(sql: Sql, projectId: string): Promise<{ project_type: string[]; environment: string[] }> {
  const [row] = await sql<{ project_type: string[]; environment: string[] }[]>`
    select
      array(select pt.slug from project_project_types ppt join project_types pt on pt.id = ppt.project_type_id
            where ppt.project_id = ${projectId} order by pt.slug) as project_type,
      array(select e.slug from project_environments pe join environments e on e.id = pe.environment_id
            where pe.project_id = ${projectId} order by e.slug) as environment`;
  return row ?? { project_type: [], environment: [] };
}
