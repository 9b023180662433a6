/**
 * Upload checks: the declared type against S3_ALLOWED_CONTENT_TYPES (415), empty files and
 * magic bytes (400), and the object-key-safe file name.
 */
import { fileTypeFromBuffer } from "file-type";
import { HttpError, InputError } from "../../http/errors.ts";

/** Types whose content is sniffed; SVG (text) and operator-added types are not. */
export const SNIFFED_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"]);
/** Types a thumbnail is made for. */
export const THUMBNAIL_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export class UnsupportedMediaTypeError extends HttpError {
  constructor(detail: string) { super(415, detail); }
}

export function checkContentType(contentType: string, allowed: readonly string[]): void {
  if (!allowed.includes(contentType)) {
    throw new UnsupportedMediaTypeError(`Content type '${contentType}' is not allowed. Allowed types: ${JSON.stringify(allowed)}`);
  }
}

export async function checkContent(data: Uint8Array, contentType: string): Promise<void> {
  if (data.byteLength === 0) throw new InputError("File is empty");
  if (!SNIFFED_TYPES.has(contentType)) return;
  const detected = await fileTypeFromBuffer(data).catch(() => undefined);
  if (!detected) throw new InputError(`File content could not be identified; expected ${contentType}`);
  if (detected.mime !== contentType) {
    throw new InputError(`File content is ${detected.mime}, but it was declared as ${contentType}`);
  }
}

/** Runs of characters outside [A-Za-z0-9._-] → "-", no leading/trailing "." or "-", ≤ 128 chars. */
export function safeName(filename: string): string {
  const cleaned = filename.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+|[.-]+$/g, "").slice(0, 128).replace(/[.-]+$/, "");
  return cleaned || "file";
}
