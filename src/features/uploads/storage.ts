/**
 * The upload objects in S3_BUCKET. Every S3 failure becomes a 503 with a detail (storage
 * unreachable, refused credentials, missing bucket), except a missing object, which is 404.
 *
 * Objects are written through an ObjectWriter: bytes are gathered into parts of PART_SIZE
 * and each full part is sent (S3 multipart upload) before more is accepted, so a large
 * upload holds one part in memory, not the whole file. A file smaller than one part is a
 * single PutObject.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { NotFoundError, UnavailableError } from "../../http/errors.ts";
import { errorMessage } from "../../infra/retry.ts";

/** How long one S3 call may take before the request answers 503. */
const S3_TIMEOUT_MS = 10_000;

/** S3 parts must be at least 5 MiB (except the last); 8 MiB halves the number of calls. */
export const PART_SIZE = 8 * 1024 * 1024;

export interface ObjectWriter {
  /** Resolves once the bytes are buffered or, when a part filled up, sent. */
  write(chunk: Uint8Array): Promise<void>;
  /** Sends what is buffered and completes the object. */
  finish(): Promise<void>;
  /** Discards an unfinished multipart upload (S3 would otherwise keep its parts). */
  abort(): Promise<void>;
}

export interface UploadStorage {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  writer(key: string, contentType: string): ObjectWriter;
  /** The object's bytes as a stream; NotFoundError when it is gone. */
  get(key: string): Promise<{ body: ReadableStream<Uint8Array>; length?: number }>;
  remove(keys: string[]): Promise<void>;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function unavailable(action: string, error: unknown): UnavailableError {
  const name = (error as { name?: string }).name;
  const reason = name && name !== "Error" && statusOf(error) ? name : errorMessage(error);
  return new UnavailableError(`Object storage is unavailable (${action}): ${reason}`);
}

export function uploadStorage(s3: S3Client, bucket: string): UploadStorage {
  const send = async <T>(action: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    // The timeout covers the call, not a body streamed afterwards (a slow client may take longer).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${S3_TIMEOUT_MS} ms`)), S3_TIMEOUT_MS);
    try {
      return await run(controller.signal);
    } catch (error) {
      if (action === "read" && ((error as { name?: string }).name === "NoSuchKey" || statusOf(error) === 404)) {
        throw new NotFoundError("Upload not found");
      }
      if (error instanceof NotFoundError) throw error;
      throw unavailable(action, error);
    } finally {
      clearTimeout(timer);
    }
  };
  const put = (key: string, body: Uint8Array, contentType: string) => send("write", async (abortSignal) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }), { abortSignal });
  });

  function writer(key: string, contentType: string): ObjectWriter {
    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    let uploadId: string | undefined;
    const parts: { ETag: string | undefined; PartNumber: number }[] = [];

    const takeBuffer = () => {
      const body = Buffer.concat(buffered, bufferedBytes);
      buffered = [];
      bufferedBytes = 0;
      return body;
    };
    const sendPart = async () => {
      const body = takeBuffer();
      uploadId ??= await send("write", async (abortSignal) => {
        const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }), { abortSignal });
        if (!out.UploadId) throw new Error("S3 returned no UploadId");
        return out.UploadId;
      });
      const PartNumber = parts.length + 1;
      const out = await send("write", (abortSignal) => s3.send(new UploadPartCommand({
        Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.byteLength,
      }), { abortSignal }));
      parts.push({ ETag: out.ETag, PartNumber });
    };

    return {
      async write(chunk) {
        buffered.push(chunk);
        bufferedBytes += chunk.byteLength;
        if (bufferedBytes >= PART_SIZE) await sendPart();
      },
      async finish() {
        if (!uploadId) return put(key, takeBuffer(), contentType);
        if (bufferedBytes > 0) await sendPart();
        await send("write", (abortSignal) => s3.send(new CompleteMultipartUploadCommand({
          Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts },
        }), { abortSignal }));
      },
      async abort() {
        buffered = [];
        bufferedBytes = 0;
        if (!uploadId) return;
        await send("write", (abortSignal) => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal }));
      },
    };
  }

  return {
    put,
    writer,
    get: (key) => send("read", async (abortSignal) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      if (!out.Body) throw new NotFoundError("Upload not found");
      return { body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>, length: out.ContentLength };
    }),
    remove: (keys) => send("delete", async (abortSignal) => {
      if (!keys.length) return;
      const out = await s3.send(new DeleteObjectsCommand({
        Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }), { abortSignal });
      const failed = (out.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (failed.length) throw new Error(`${failed[0]!.Code}: ${failed[0]!.Message}`);
    }),
  };
}
