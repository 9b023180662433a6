/** Document template SQL: templates of an organization with their tags and organization. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";

export type Sql = Database | TransactionSql;

export interface TemplateRow {
  row_id: string;
  id: string;
  organization_id: string;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  title: string | null;
  content: string;
  type: string;
  project_type_slugs: string[];
  sort_order: number;
  created_at: Date;
  updated_at: Date | null;
  org_name: string;
  org_slug: string;
  tags: { name: string; slug: string }[];
}

export type TemplateValues = Pick<TemplateRow, "slug" | "name" | "description" | "icon" | "title" | "content" | "type" | "project_type_slugs" | "sort_order">;

export function selectTemplates(sql: Sql, orgId: string, slug?: string): Promise<TemplateRow[]> {
  return sql<TemplateRow[]>`
    select dt.*, o.name as org_name, o.slug as org_slug,
      coalesce((select jsonb_agg(jsonb_build_object('name', tg.name, 'slug', tg.slug) order by tg.name, tg.slug)
        from document_template_tags x join tags tg on tg.id = x.tag_id where x.template_row_id = dt.row_id), '[]'::jsonb) as tags
    from document_templates dt join organizations o on o.id = dt.organization_id
    where dt.organization_id = ${orgId} ${slug === undefined ? sql`` : sql`and dt.slug = ${slug}`}
    order by dt.sort_order, dt.name, dt.slug`;
}

export async function lockTemplate(sql: Sql, orgId: string, slug: string): Promise<boolean> {
  return (await sql`select row_id from document_templates where organization_id = ${orgId} and slug = ${slug} for update`).length > 0;
}

export async function slugTaken(sql: Sql, orgId: string, slug: string): Promise<boolean> {
  return (await sql`select 1 from document_templates where organization_id = ${orgId} and (slug = ${slug} or id = ${slug})`).length > 0;
}

export async function insertTemplate(sql: Sql, values: TemplateValues & { row_id: string; id: string; organization_id: string }): Promise<void> {
  await sql`insert into document_templates ${sql({ ...values, project_type_slugs: sql.array(values.project_type_slugs) } as never)}`;
}

export async function updateTemplate(sql: Sql, rowId: string, values: TemplateValues): Promise<void> {
  await sql`update document_templates set ${sql({ ...values, project_type_slugs: sql.array(values.project_type_slugs), updated_at: new Date() } as never)}
    where row_id = ${rowId}`;
}

export async function replaceTemplateTags(sql: Sql, rowId: string, tagIds: string[]): Promise<void> {
  await sql`delete from document_template_tags where template_row_id = ${rowId}`;
  if (tagIds.length) await sql`insert into document_template_tags ${sql(tagIds.map((tag_id) => ({ template_row_id: rowId, tag_id })))}`;
}

export async function deleteTemplate(sql: Sql, rowId: string): Promise<void> {
  await sql`delete from document_templates where row_id = ${rowId}`;
}
