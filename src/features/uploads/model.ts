/** Upload schemas (reference-domain.md §14): the metadata JSON and the list filters. */
import { t, type Static } from "elysia";

export const UploadJson = t.Object({
  id: t.String({ format: "uuid", description: "UUID of the upload" }),
  filename: t.String({ description: "Name the client sent" }),
  content_type: t.String({ description: "Declared MIME type (checked against the magic bytes)" }),
  size: t.Integer({ description: "Size in bytes" }),
  has_thumbnail: t.Boolean({ description: "A WEBP thumbnail exists at /uploads/{id}/thumbnail" }),
  uploaded_by: t.String({ description: "Email of the uploader" }),
  created_at: t.String({ format: "date-time" }),
});
export type UploadJson = Static<typeof UploadJson>;

export const UploadParams = t.Object({ upload_id: t.String() });

export const ListQuery = t.Object({
  content_type: t.Optional(t.String({ description: "Exact MIME type" })),
  uploaded_by: t.Optional(t.String({ description: "Exact uploader email" })),
});
export type ListQuery = Static<typeof ListQuery>;

/** The row in `uploads` (migrations/postgres/0005_uploads.sql). */
export interface UploadRow {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  s3_key: string;
  has_thumbnail: boolean;
  thumbnail_s3_key: string | null;
  uploaded_by: string;
  uploaded_by_id: string | null;
  created_at: Date;
}

export function toUploadJson(row: UploadRow): UploadJson {
  return {
    id: row.id, filename: row.filename, content_type: row.content_type, size: Number(row.size),
    has_thumbnail: row.has_thumbnail, uploaded_by: row.uploaded_by, created_at: row.created_at.toISOString(),
  };
}

/** Upload ids are UUIDs: anything else cannot name an upload (404 without a query). */
export const isUploadId = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
