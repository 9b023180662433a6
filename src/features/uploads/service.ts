/**
 * Upload rules. Create: the file streams to S3 as it arrives (sink.ts: content checked on its
 * first bytes) → thumbnail (best effort) → metadata row; a failure after an object was
 * written removes what was written. Thumbnails are made one at a time: decoding holds the
 * whole image, and concurrent large uploads must not multiply that. Delete:
 * under a row lock, refuse while an entity uses the upload as its icon (409, D2), remove the
 * objects, then the row (a storage outage rolls back: nothing is half-deleted).
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import type { EventBus } from "../../infra/events.ts";
import { makeWebpThumbnail } from "../../infra/image.ts";
import { errorMessage } from "../../infra/retry.ts";
import { ConflictError, NotFoundError } from "../../http/errors.ts";
import type { Principal } from "../auth/principal.ts";
import { isUploadId, toUploadJson, type ListQuery, type UploadJson, type UploadRow } from "./model.ts";
import { deleteUploadRow, findIconUsers, findUpload, insertUpload, listUploads, lockUpload } from "./repo.ts";
import type { UploadStorage } from "./storage.ts";
import { THUMBNAIL_TYPES } from "./validate.ts";
import { Semaphore } from "../../lib/semaphore.ts";
import { receiveFile, type MultipartLimits } from "./multipart.ts";
import { uploadSink, type StoredFile } from "./sink.ts";

export interface UploadServiceDeps {
  sql: Database;
  storage: UploadStorage;
  settings: Settings["storage"];
  logger: Logger;
  events: EventBus;
}

export const THUMBNAIL_TYPE = "image/webp";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function uploadService({ sql, storage, settings, logger, events }: UploadServiceDeps) {
  const emit = (type: string, principal: Principal, upload: { id: string; filename: string; content_type: string }) =>
    events.emit({
      type, outcome: "success", actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
      detail: { upload_id: upload.id, filename: upload.filename, content_type: upload.content_type },
    });

  const thumbnailing = new Semaphore(1);

  async function thumbnailOf(file: StoredFile): Promise<Uint8Array | null> {
    if (!THUMBNAIL_TYPES.has(file.contentType)) return null;
    try {
      // sharp's WEBP quality runs 1-100; the setting allows 0 (= the lowest).
      const quality = Math.max(1, settings.thumbnail_quality);
      return await thumbnailing.run(async () => {
        const image = file.bytes ?? await readAll((await storage.get(file.key)).body);
        return (await makeWebpThumbnail(image, settings.thumbnail_max_size, quality)).data;
      });
    } catch (error) {
      logger.warn({ upload_id: file.id, err: errorMessage(error) }, "thumbnail not generated; upload stored without one");
      return null;
    }
  }

  async function removeQuietly(keys: string[]): Promise<void> {
    await storage.remove(keys).catch((error) =>
      logger.error({ keys, err: errorMessage(error) }, "could not remove upload objects after a failed upload"));
  }

  async function find(id: string): Promise<UploadRow> {
    const row = isUploadId(id) ? await findUpload(sql, id.toLowerCase()) : undefined;
    if (!row) throw new NotFoundError("Upload not found");
    return row;
  }

  return {
    /** Streams the request's `file` part to S3, then stores its thumbnail and metadata row. */
    async create(request: Request, limits: MultipartLimits, principal: Principal): Promise<UploadJson> {
      const file = await receiveFile(request, limits, (part) => uploadSink(storage, logger, part));
      const written = [file.key];
      const thumbnailKey = `uploads/${file.id}/thumbnail.webp`;
      try {
        const thumbnail = await thumbnailOf(file);
        if (thumbnail) {
          await storage.put(thumbnailKey, thumbnail, THUMBNAIL_TYPE);
          written.push(thumbnailKey);
        }
        const row = await insertUpload(sql, {
          id: file.id, filename: file.filename, content_type: file.contentType, size: file.size, s3_key: file.key,
          has_thumbnail: thumbnail !== null, thumbnail_s3_key: thumbnail ? thumbnailKey : null,
          uploaded_by: principal.name, uploaded_by_id: principal.kind === "user" ? principal.id : null,
        });
        emit("upload.created", principal, row);
        return toUploadJson(row);
      } catch (error) {
        await removeQuietly(written);
        throw error;
      }
    },

    async list(filters: ListQuery): Promise<UploadJson[]> {
      return (await listUploads(sql, filters)).map(toUploadJson);
    },

    async meta(id: string): Promise<UploadJson> {
      return toUploadJson(await find(id));
    },

    /** The row of an upload whose original (or thumbnail) is to be served. */
    async forServing(id: string, variant: "original" | "thumbnail"): Promise<UploadRow> {
      const row = await find(id);
      if (variant === "thumbnail" && (!row.has_thumbnail || !row.thumbnail_s3_key)) throw new NotFoundError("Upload has no thumbnail");
      return row;
    },

    async remove(id: string, principal: Principal): Promise<void> {
      if (!isUploadId(id)) throw new NotFoundError("Upload not found");
      await sql.begin(async (tx) => {
        const row = await lockUpload(tx as unknown as Database, id.toLowerCase());
        if (!row) throw new NotFoundError("Upload not found");
        const users = await findIconUsers(tx as unknown as Database, row.id);
        if (users.length) {
          const names = users.map((u) => `${u.kind} '${u.name}'`).join(", ");
          throw new ConflictError(`Upload is in use as the icon of: ${names}`);
        }
        await storage.remove([row.s3_key, ...(row.thumbnail_s3_key ? [row.thumbnail_s3_key] : [])]);
        await deleteUploadRow(tx as unknown as Database, row.id);
        emit("upload.deleted", principal, row);
      });
    },
  };
}

export type UploadService = ReturnType<typeof uploadService>;
