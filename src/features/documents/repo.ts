/** Document SQL: anchors (project, project type, member user), documents with their tags, keyset pages. */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";

export type Sql = Database | TransactionSql;

export type AnchorKind = "project" | "project_type" | "user";

/** What a document is attached to: the column that points at it and the row's id. */
export interface Anchor {
  kind: AnchorKind;
  id: string;
  /** project id, project type slug or user email (as the response names it) */
  key: string;
}

export interface DocumentRow {
  id: string;
  organization_id: string;
  project_id: string | null;
  project_type_id: string | null;
  user_id: string | null;
  title: string;
  content: string;
  is_pinned: boolean;
  created_by: string;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date | null;
  created_by_name: string | null;
  project_name: string | null;
  team_name: string | null;
  project_types: string[] | null;
  type_slug: string | null;
  type_name: string | null;
  user_email: string | null;
  user_name: string | null;
  comment_count: number;
  tags: { name: string; slug: string }[];
}

export async function findProjectAnchor(sql: Sql, orgId: string, id: string): Promise<Anchor | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from projects where organization_id = ${orgId} and id = ${id}`;
  return row && { kind: "project", id: row.id, key: row.id };
}

export async function findProjectTypeAnchor(sql: Sql, orgId: string, slug: string): Promise<Anchor | undefined> {
  const [row] = await sql<{ id: string; slug: string }[]>`select id, slug from project_types where organization_id = ${orgId} and slug = ${slug}`;
  return row && { kind: "project_type", id: row.id, key: row.slug };
}

/** A user who is a member of the organization (MEMBER_OF), by email (case-insensitive). */
export async function findUserAnchor(sql: Sql, orgId: string, email: string): Promise<Anchor | undefined> {
  const [row] = await sql<{ id: string; email: string }[]>`select u.id, u.email from users u
    join organization_memberships m on m.user_id = u.id and m.organization_id = ${orgId}
    where lower(u.email) = lower(${email})`;
  return row && { kind: "user", id: row.id, key: row.email };
}

const ANCHOR_COLUMN: Record<AnchorKind, string> = { project: "project_id", project_type: "project_type_id", user: "user_id" };

/** Tag ids by slug within the organization (slugs not found are absent). */
export async function tagIds(sql: Sql, orgId: string, slugs: string[]): Promise<Map<string, string>> {
  if (!slugs.length) return new Map();
  const rows = await sql<{ id: string; slug: string }[]>`select id, slug from tags where organization_id = ${orgId} and slug in ${sql(slugs)}
    for key share`;
  return new Map(rows.map((row) => [row.slug, row.id]));
}

export async function insertDocument(sql: Sql, values: {
  id: string; organization_id: string; anchor: Anchor; title: string; content: string; created_by: string; created_at: Date;
}): Promise<void> {
  const { anchor, ...rest } = values;
  await sql`insert into documents ${sql({ ...rest, [ANCHOR_COLUMN[anchor.kind]]: anchor.id } as never)}`;
}

export async function replaceTags(sql: Sql, documentId: string, ids: string[]): Promise<void> {
  await sql`delete from document_tags where document_id = ${documentId}`;
  if (ids.length) await sql`insert into document_tags ${sql(ids.map((tag_id) => ({ document_id: documentId, tag_id })))}`;
}

export async function updateDocument(sql: Sql, id: string, values: { title: string; content: string; is_pinned: boolean; updated_by: string }): Promise<void> {
  await sql`update documents set ${sql({ ...values, updated_at: new Date() } as never)} where id = ${id}`;
}

/** Row-locks the document for a read-modify-write; false when it is gone. */
export async function lockDocument(sql: Sql, id: string): Promise<boolean> {
  return (await sql`select id from documents where id = ${id} for update`).length > 0;
}

export async function deleteDocument(sql: Sql, id: string): Promise<void> {
  await sql`delete from documents where id = ${id}`;
}

export interface DocumentFilter {
  orgId: string;
  id?: string;
  anchor?: Anchor;
  tagSlug?: string;
  after?: { at: Date; id: string };
  limit?: number;
}

/** Documents of an organization with everything the response needs, newest first. */
export function selectDocuments(sql: Sql, filter: DocumentFilter): Promise<DocumentRow[]> {
  const anchor = filter.anchor;
  return sql<DocumentRow[]>`
    select d.*,
      cu.display_name as created_by_name,
      p.name as project_name, tm.name as team_name,
      case when d.project_id is null then null else array(
        select pt2.name from project_project_types ppt join project_types pt2 on pt2.id = ppt.project_type_id
        where ppt.project_id = d.project_id order by pt2.name) end as project_types,
      pt.slug as type_slug, pt.name as type_name,
      au.email as user_email, au.display_name as user_name,
      (select count(*)::int from comments c join comment_threads th on th.id = c.thread_id where th.document_id = d.id) as comment_count,
      coalesce((select jsonb_agg(jsonb_build_object('name', tg.name, 'slug', tg.slug) order by tg.name, tg.slug)
        from document_tags dt join tags tg on tg.id = dt.tag_id where dt.document_id = d.id), '[]'::jsonb) as tags
    from documents d
    left join users cu on lower(cu.email) = lower(d.created_by)
    left join projects p on p.id = d.project_id
    left join teams tm on tm.id = p.team_id
    left join project_types pt on pt.id = d.project_type_id
    left join users au on au.id = d.user_id
    where d.organization_id = ${filter.orgId}
      ${filter.id === undefined ? sql`` : sql`and d.id = ${filter.id}`}
      ${anchor === undefined ? sql`` : sql`and ${sql(ANCHOR_COLUMN[anchor.kind])} = ${anchor.id}`}
      ${filter.tagSlug === undefined ? sql`` : sql`and exists (select 1 from document_tags dt join tags tg on tg.id = dt.tag_id
          where dt.document_id = d.id and tg.slug = ${filter.tagSlug})`}
      ${filter.after === undefined ? sql`` : sql`and (d.created_at, d.id) < (${filter.after.at}, ${filter.after.id})`}
    order by d.created_at desc, d.id desc
    ${filter.limit === undefined ? sql`` : sql`limit ${filter.limit}`}`;
}

export async function countTagDocuments(sql: Sql, tagId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from document_tags where tag_id = ${tagId}`;
  return row!.n;
}
