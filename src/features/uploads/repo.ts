/** SQL for uploads: the metadata rows, and the entities whose `icon` points at an upload. */
import type { Database } from "../../infra/postgres.ts";
import type { ListQuery, UploadRow } from "./model.ts";

export async function insertUpload(sql: Database, row: Omit<UploadRow, "created_at">): Promise<UploadRow> {
  const [inserted] = await sql<UploadRow[]>`
    insert into uploads (id, filename, content_type, size, s3_key, has_thumbnail, thumbnail_s3_key, uploaded_by, uploaded_by_id)
    values (${row.id}, ${row.filename}, ${row.content_type}, ${row.size}, ${row.s3_key}, ${row.has_thumbnail},
      ${row.thumbnail_s3_key}, ${row.uploaded_by}, ${row.uploaded_by_id})
    returning *`;
  return inserted!;
}

export async function findUpload(sql: Database, id: string): Promise<UploadRow | undefined> {
  const [row] = await sql<UploadRow[]>`select * from uploads where id = ${id}`;
  return row;
}

/** Locks the row until the surrounding transaction ends (delete vs. concurrent delete). */
export async function lockUpload(sql: Database, id: string): Promise<UploadRow | undefined> {
  const [row] = await sql<UploadRow[]>`select * from uploads where id = ${id} for update`;
  return row;
}

export async function listUploads(sql: Database, filters: ListQuery): Promise<UploadRow[]> {
  return sql<UploadRow[]>`
    select * from uploads
    where (${filters.content_type ?? null}::text is null or content_type = ${filters.content_type ?? null})
      and (${filters.uploaded_by ?? null}::text is null or uploaded_by = ${filters.uploaded_by ?? null})
    order by created_at, id`;
}

export async function deleteUploadRow(sql: Database, id: string): Promise<void> {
  await sql`delete from uploads where id = ${id}`;
}

export interface IconUser {
  kind: string;
  name: string;
}

/**
 * Entities whose `icon` references the upload: the reference stores `/uploads/{id}`
 * (prefix-less); a prefixed or absolute URL, or the thumbnail path, counts too.
 */
export async function findIconUsers(sql: Database, id: string): Promise<IconUser[]> {
  const exact = `/uploads/${id}`;
  const suffix = `%/uploads/${id}`;
  const thumb = `%/uploads/${id}/thumbnail`;
  const match = (column: string) => `(${column} = $1 or ${column} like $2 or ${column} like $3)`;
  return sql.unsafe<IconUser[]>(`
    select 'organization' as kind, o.slug as name from organizations o where ${match("o.icon")}
    union all select 'team', o.slug || '/' || x.slug from teams x join organizations o on o.id = x.organization_id where ${match("x.icon")}
    union all select 'environment', o.slug || '/' || x.slug from environments x join organizations o on o.id = x.organization_id where ${match("x.icon")}
    union all select 'project_type', o.slug || '/' || x.slug from project_types x join organizations o on o.id = x.organization_id where ${match("x.icon")}
    union all select 'link_definition', o.slug || '/' || x.slug from link_definitions x join organizations o on o.id = x.organization_id where ${match("x.icon")}
    union all select 'project', o.slug || '/' || x.slug from projects x join organizations o on o.id = x.organization_id where ${match("x.icon")}
    union all select 'role', x.slug from roles x where ${match("x.icon")}
    order by 1, 2`, [exact, suffix, thumb]);
}
