// @aws-sdk/client-s3 (path-style) against the stack's S3 store.
import { afterAll, describe, expect, test } from "bun:test";
import { Readable } from "node:stream";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListBucketsCommand, PutObjectCommand, S3Client, S3ServiceException,
} from "@aws-sdk/client-s3";
import { loadStackEnv } from "../helpers/stack-env.ts";

const env = loadStackEnv(["S3_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "S3_REGION"]);
const s3 = new S3Client({
  endpoint: env.S3_ENDPOINT_URL,
  region: env.S3_REGION,
  forcePathStyle: true,
  credentials: { accessKeyId: env.S3_ACCESS_KEY!, secretAccessKey: env.S3_SECRET_KEY! },
});
const bucket = `stack-test-${process.pid}-${Date.now()}`;

afterAll(() => s3.destroy());

describe("S3 via @aws-sdk/client-s3", () => {
  test("the app bucket exists", async () => {
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets.map((b) => b.Name)).toContain(env.S3_BUCKET);
  });

  test("create bucket, put, head, get, delete", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "docs/hello.txt", Body: "hello, stack", ContentType: "text/plain" }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "docs/hello.txt" }));
    expect(head.ContentLength).toBe(12);
    expect(head.ContentType).toBe("text/plain");

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "docs/hello.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello, stack");

    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "bin", Body: bytes }));
    const gotBytes = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "bin" }));
    expect(await gotBytes.Body!.transformToByteArray()).toEqual(bytes);

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "docs/hello.txt" }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "bin" }));
    const gone = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "docs/hello.txt" })).catch((e) => e);
    expect(gone).toBeInstanceOf(S3ServiceException);
    expect((gone as S3ServiceException).$metadata.httpStatusCode).toBe(404);
  });

  test("streamed uploads (aws-chunked with trailing checksum) store the plain bytes", async () => {
    const body = Readable.from([Buffer.from("streamed "), Buffer.from("upload")]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "stream.txt", Body: body, ContentLength: 15 }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "stream.txt" }));
    expect(await got.Body!.transformToString()).toBe("streamed upload");
    expect(got.ContentEncoding ?? "").not.toContain("aws-chunked");
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "stream.txt" }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });
});
