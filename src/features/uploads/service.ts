/**
 * Upload rules. Create: content check → thumbnail (best effort) → both objects to S3 →
 * metadata row; a failure after an object was written removes what was written. Delete:
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
import type { ReceivedFile } from "./multipart.ts";
import type { UploadStorage } from "./storage.ts";
import { checkContent, safeName, THUMBNAIL_TYPES } from "./validate.ts";

export interface UploadServiceDeps {
  sql: Database;
  storage: UploadStorage;
  settings: Settings["storage"];
  logger: Logger;
  events: EventBus;
}

export const THUMBNAIL_TYPE = "image/webp";

export function uploadService({ sql, storage, settings, logger, events }: UploadServiceDeps) {
  const emit = (type: string, principal: Principal, upload: { id: string; filename: string; content_type: string }) =>
    events.emit({
      type, outcome: "success", actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
      detail: { upload_id: upload.id, filename: upload.filename, content_type: upload.content_type },
    });

  async function thumbnailOf(id: string, file: ReceivedFile): Promise<Uint8Array | null> {
    if (!THUMBNAIL_TYPES.has(file.contentType)) return null;
    try {
      // sharp's WEBP quality runs 1-100; the setting allows 0 (= the lowest).
      const quality = Math.max(1, settings.thumbnail_quality);
      return (await makeWebpThumbnail(file.data, settings.thumbnail_max_size, quality)).data;
    } catch (error) {
      logger.warn({ upload_id: id, err: errorMessage(error) }, "thumbnail not generated; upload stored without one");
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
    async create(file: ReceivedFile, principal: Principal): Promise<UploadJson> {
      await checkContent(file.data, file.contentType);
      const id = crypto.randomUUID();
      const key = `uploads/${id}/${safeName(file.filename)}`;
      const thumbnailKey = `uploads/${id}/thumbnail.webp`;
      const thumbnail = await thumbnailOf(id, file);

      const written: string[] = [];
      try {
        await storage.put(key, file.data, file.contentType);
        written.push(key);
        if (thumbnail) {
          await storage.put(thumbnailKey, thumbnail, THUMBNAIL_TYPE);
          written.push(thumbnailKey);
        }
      } catch (error) {
        await removeQuietly(written);
        throw error;
      }

      try {
        const row = await insertUpload(sql, {
          id, filename: file.filename, content_type: file.contentType, size: file.data.byteLength, s3_key: key,
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
