/**
 * /uploads (reference-domain.md §14): upload (multipart field `file`), list, bytes, metadata,
 * thumbnail, delete. Uploading and deleting are for human users: a service account gets 403
 * before the body is read or anything is removed. The two byte routes also accept the
 * `imbi_access_token` cookie (byte-auth.ts) because the SPA loads them with `<img src>`.
 *
 * Status codes: 201/200/204; 413 over S3_MAX_FILE_SIZE (refused while streaming); 415 for a
 * declared type outside S3_ALLOWED_CONTENT_TYPES; 400 for an empty file, content that does
 * not match the declared type, or a malformed multipart body; 422 when the `file` part is
 * missing; 409 deleting an upload still used as an icon; 503 when S3 cannot be reached.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { NotAllowedError } from "../../http/errors.ts";
import type { Principal } from "../auth/principal.ts";
import { byteRouteAuth } from "./byte-auth.ts";
import { ListQuery, UploadJson, UploadParams } from "./model.ts";
import { serveUpload } from "./serve.ts";
import { uploadService } from "./service.ts";
import { uploadStorage } from "./storage.ts";
import { checkContentType } from "./validate.ts";

const detail = { tags: ["Uploads"] };
const Detail = t.Object({ detail: t.Unknown() });

function requireHuman(principal: Principal): void {
  if (principal.kind !== "user") throw new NotAllowedError("This endpoint requires user authentication");
}

export function uploadRoutes(ctx: AppContext) {
  const settings = ctx.settings.storage;
  const storage = uploadStorage(ctx.infra.s3, settings.bucket);
  const service = uploadService({ sql: ctx.infra.sql, storage, settings, logger: ctx.logger, events: ctx.events });
  const authorize = byteRouteAuth(ctx);
  const limits = {
    maxFileSize: settings.max_file_size,
    checkType: (type: string) => checkContentType(type, settings.allowed_content_types),
  };

  return new Elysia({ name: "imbi.uploads", prefix: "/uploads" })
    .use(ctx.auth)
    // parse: "none" — the body is read here, as a stream, after authentication.
    .post("/", async ({ request, principal, set }) => {
      requireHuman(principal);
      const upload = await service.create(request, limits, principal);
      set.status = 201;
      return upload;
    }, {
      permission: "upload:create", parse: "none", response: { 201: UploadJson, 400: Detail, 413: Detail, 415: Detail },
      detail: {
        ...detail, summary: "Upload a file (multipart/form-data, field `file`)",
        requestBody: {
          required: true,
          content: { "multipart/form-data": { schema: { type: "object", required: ["file"], properties: { file: { type: "string", format: "binary" } } } } },
        },
      },
    })
    .get("/", ({ query }) => service.list(query), {
      permission: "upload:read", query: ListQuery, response: t.Array(UploadJson), detail,
    })
    .get("/:upload_id", async (context) => {
      await authorize(context, "upload:read");
      return serveUpload(storage, await service.forServing(context.params.upload_id, "original"), "original", context.request);
    }, { params: UploadParams, detail: { ...detail, summary: "The uploaded bytes (bearer token or imbi_access_token cookie)" } })
    .get("/:upload_id/meta", ({ params }) => service.meta(params.upload_id), {
      permission: "upload:read", params: UploadParams, response: UploadJson, detail,
    })
    .get("/:upload_id/thumbnail", async (context) => {
      await authorize(context, "upload:read");
      return serveUpload(storage, await service.forServing(context.params.upload_id, "thumbnail"), "thumbnail", context.request);
    }, { params: UploadParams, detail: { ...detail, summary: "The WEBP thumbnail (bearer token or imbi_access_token cookie)" } })
    .delete("/:upload_id", async ({ params, principal, set }) => {
      requireHuman(principal);
      await service.remove(params.upload_id, principal);
      set.status = 204;
    }, { permission: "upload:delete", params: UploadParams, detail });
}
