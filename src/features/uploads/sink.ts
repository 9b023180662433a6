/**
 * Where an upload's bytes go while the request streams in: the first bytes are held until
 * there are enough to sniff (checkContent), then everything is written through to S3 with an
 * ObjectWriter. Nothing reaches S3 for content that fails the checks. A copy stays in memory
 * only for images small enough to thumbnail from it; larger ones are read back from S3.
 */
import type { Logger } from "../../infra/logger.ts";
import { errorMessage } from "../../infra/retry.ts";
import type { FilePart, FileSink } from "./multipart.ts";
import type { ObjectWriter, UploadStorage } from "./storage.ts";
import { checkContent, safeName, THUMBNAIL_TYPES } from "./validate.ts";

/** file-type needs at most this many leading bytes to identify a format. */
const SNIFF_BYTES = 4100;
/** Images up to this size are thumbnailed from memory instead of being read back. */
export const IN_MEMORY_THUMBNAIL_BYTES = 8 * 1024 * 1024;

export interface StoredFile extends FilePart {
  id: string;
  key: string;
  size: number;
  /** The whole file, kept only for thumbnail-able images up to IN_MEMORY_THUMBNAIL_BYTES. */
  bytes: Uint8Array | null;
}

export function uploadSink(storage: UploadStorage, logger: Logger, part: FilePart): FileSink<StoredFile> {
  const id = crypto.randomUUID();
  const key = `uploads/${id}/${safeName(part.filename)}`;
  let head: Uint8Array[] = [];
  let size = 0;
  let kept: Uint8Array[] | null = THUMBNAIL_TYPES.has(part.contentType) ? [] : null;
  let writer: ObjectWriter | undefined;

  const start = async () => {
    await checkContent(Buffer.concat(head, size), part.contentType);
    writer = storage.writer(key, part.contentType);
    const buffered = head;
    head = [];
    for (const chunk of buffered) await writer.write(chunk);
  };

  return {
    async write(chunk) {
      size += chunk.byteLength;
      if (kept && size <= IN_MEMORY_THUMBNAIL_BYTES) kept.push(chunk);
      else kept = null;
      if (writer) return writer.write(chunk);
      head.push(chunk);
      if (size >= SNIFF_BYTES) await start();
    },
    async finish() {
      if (!writer) await start(); // a file shorter than SNIFF_BYTES (or empty: checkContent refuses it)
      try {
        await writer!.finish();
      } catch (error) {
        await this.abort();
        throw error;
      }
      return { ...part, id, key, size, bytes: kept ? Buffer.concat(kept, size) : null };
    },
    async abort() {
      await writer?.abort().catch((error) =>
        logger.error({ key, err: errorMessage(error) }, "could not abort the multipart upload of a failed upload"));
    },
  };
}
