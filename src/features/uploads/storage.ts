/**
 * The upload objects in S3_BUCKET. Every S3 failure becomes a 503 with a detail (storage
 * unreachable, refused credentials, missing bucket), except a missing object, which is 404.
 */
import {
  DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { NotFoundError, UnavailableError } from "../../http/errors.ts";
import { errorMessage } from "../../infra/retry.ts";

/** How long one S3 call may take before the request answers 503. */
const S3_TIMEOUT_MS = 10_000;

export interface UploadStorage {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
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
  return {
    put: (key, body, contentType) => send("write", async (abortSignal) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }), { abortSignal });
    }),
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
