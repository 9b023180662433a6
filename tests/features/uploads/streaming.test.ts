/**
 * An upload over S3_MAX_FILE_SIZE is refused while it streams: the server answers 413 after
 * reading about the limit, not the whole body, over a real socket and in process. An accepted
 * large upload goes to S3 in parts as it arrives and reads back byte for byte; a refusal after
 * some parts were sent leaves nothing in the bucket.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, type Actor } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";
import { bucketKeys } from "./helpers.ts";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { PART_SIZE } from "../../../src/features/uploads/storage.ts";

const LIMIT = 1024 * 1024;
const TOTAL = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

let t: TestApp;
let admin: Actor;

beforeAll(async () => {
  t = await startTestApp({ S3_MAX_FILE_SIZE: String(LIMIT) });
  admin = await actor(t, { org: await createOrg(t), role: "admin" });
});
afterAll(async () => { await t?.close(); });

/**
 * A multipart PDF of `total` bytes produced lazily (each 64 KiB chunk is filled with its own
 * index, so a reordered or dropped chunk shows); `pulled()` tells how much the reader took.
 */
function hugeBody(total = TOTAL) {
  const boundary = "----imbi-streaming-test";
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  let sent = 0;
  let index = 0;
  const nextChunk = () => {
    const chunk = new Uint8Array(CHUNK).fill(index++ % 251);
    if (index === 1) chunk.set(new TextEncoder().encode("%PDF-1.7\n"));
    return chunk;
  };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(head);
        sent += head.byteLength;
      } else if (sent - head.byteLength < total) {
        controller.enqueue(nextChunk());
        sent += CHUNK;
      } else {
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
      }
    },
  }, { highWaterMark: 0 });
  return { stream, type: `multipart/form-data; boundary=${boundary}`, pulled: () => sent };
}

/** The bytes hugeBody(total) sends as the file. */
function expectedFile(total: number): Uint8Array {
  const out = new Uint8Array(total);
  for (let i = 0; i * CHUNK < total; i++) out.fill(i % 251, i * CHUNK, (i + 1) * CHUNK);
  out.set(new TextEncoder().encode("%PDF-1.7\n"));
  return out;
}

describe("S3_MAX_FILE_SIZE is enforced while streaming", () => {
  it("in process: 413 after reading about the limit of a 50 MB body", async () => {
    const body = hugeBody();
    const rssBefore = process.memoryUsage().rss;
    const response = await t.req("/uploads/", {
      method: "POST", body: body.stream, headers: { ...admin.headers, "content-type": body.type }, duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json() as any).detail).toBe(`File size exceeds maximum of 1 MB (${LIMIT} bytes)`);
    expect(body.pulled()).toBeLessThan(LIMIT + 512 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(TOTAL / 2);
    expect(await bucketKeys(t)).toEqual([]);
  });

  it("over a socket: the 413 arrives before the client has sent the body", async () => {
    const base = t.listen();
    const body = hugeBody();
    const response = await fetch(`${base}/uploads/`, {
      method: "POST", body: body.stream, headers: { ...admin.headers, "content-type": body.type }, duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThan(TOTAL);
    await response.text();
  });

  it("refuses from Content-Length alone, before reading any of the body", async () => {
    const body = hugeBody();
    const response = await t.req("/uploads/", {
      method: "POST", body: body.stream, duplex: "half",
      headers: { ...admin.headers, "content-type": body.type, "content-length": String(TOTAL) },
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(CHUNK + 1024);
  });
});

describe("large accepted uploads stream to S3 in parts", () => {
  let big: TestApp;
  let owner: Actor;
  const BIG_LIMIT = 3 * PART_SIZE;

  beforeAll(async () => {
    big = await startTestApp({ S3_MAX_FILE_SIZE: String(BIG_LIMIT) });
    owner = await actor(big, { org: await createOrg(big), role: "admin" });
  });
  afterAll(async () => { await big?.close(); });

  it("a file of two and a half parts is stored whole and reads back byte for byte", async () => {
    const total = 2.5 * PART_SIZE;
    const body = hugeBody(total);
    const response = await big.req("/uploads/", {
      method: "POST", body: body.stream, headers: { ...owner.headers, "content-type": body.type }, duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(201);
    const upload = await response.json() as any;
    expect(upload.size).toBe(total);
    const bytes = new Uint8Array(await (await big.req(`/uploads/${upload.id}`, { headers: owner.headers })).arrayBuffer());
    expect(bytes.byteLength).toBe(total);
    expect(Buffer.compare(bytes, expectedFile(total))).toBe(0);
  });

  it("a refusal after parts were sent leaves no object behind", async () => {
    const before = await bucketKeys(big);
    const body = hugeBody(BIG_LIMIT + 2 * CHUNK);
    const response = await big.req("/uploads/", {
      method: "POST", body: body.stream, headers: { ...owner.headers, "content-type": body.type }, duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await bucketKeys(big)).toEqual(before);
    // The parts already sent are discarded (AbortMultipartUpload), not left to accumulate.
    const open = await big.infra.s3.send(new ListMultipartUploadsCommand({ Bucket: big.config.settings.storage.bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  });
});
