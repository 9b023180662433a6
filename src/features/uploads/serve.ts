/**
 * Serving upload bytes: streamed from S3, never buffered, with a strong ETag (uploads are
 * immutable, so the id names the content), conditional GET (304), a private cache lifetime
 * (the bytes need credentials), nosniff, and for SVG a sandboxing CSP plus an attachment
 * disposition so an uploaded SVG never runs script on the API's origin.
 */
import type { UploadRow } from "./model.ts";
import type { UploadStorage } from "./storage.ts";
import { THUMBNAIL_TYPE } from "./service.ts";
import { safeName } from "./validate.ts";

export const CACHE_CONTROL = "private, max-age=3600";
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** RFC 9110 §13.1.2: weak comparison; `*` matches any current representation. */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === bare);
}

function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = safeName(filename);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export async function serveUpload(
  storage: UploadStorage, row: UploadRow, variant: "original" | "thumbnail", request: Request,
): Promise<Response> {
  const thumbnail = variant === "thumbnail";
  const contentType = thumbnail ? THUMBNAIL_TYPE : row.content_type;
  const etag = `"${row.id}${thumbnail ? "-thumbnail" : ""}"`;
  const filename = thumbnail ? `${row.filename.replace(/\.[^.]*$/, "")}-thumbnail.webp` : row.filename;
  const svg = contentType === "image/svg+xml";
  const headers: Record<string, string> = {
    etag,
    "cache-control": CACHE_CONTROL,
    "last-modified": row.created_at.toUTCString(),
    "x-content-type-options": "nosniff",
    "content-disposition": contentDisposition(svg ? "attachment" : "inline", filename),
    ...(svg ? { "content-security-policy": SVG_CSP } : {}),
  };
  if (matchesIfNoneMatch(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  const since = request.headers.get("if-modified-since");
  if (!request.headers.has("if-none-match") && since && Date.parse(since) >= Math.floor(row.created_at.getTime() / 1000) * 1000) {
    return new Response(null, { status: 304, headers });
  }
  const object = await storage.get(thumbnail ? row.thumbnail_s3_key! : row.s3_key);
  return new Response(object.body, {
    status: 200,
    headers: { ...headers, "content-type": contentType, ...(object.length !== undefined ? { "content-length": String(object.length) } : {}) },
  });
}
