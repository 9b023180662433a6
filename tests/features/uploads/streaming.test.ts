/**
 * An upload over S3_MAX_FILE_SIZE is refused while it streams: the server answers 413 after
 * reading about the limit, not the whole body, over a real socket and in process.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, type Actor } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";
import { bucketKeys } from "./helpers.ts";

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

/** A 50 MB multipart body produced lazily; `pulled()` tells how much the reader took. */
function hugeBody() {
  const boundary = "----imbi-streaming-test";
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
  let sent = 0;
  const chunk = new Uint8Array(CHUNK).fill(7);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(head);
        sent += head.byteLength;
      } else if (sent < TOTAL) {
        controller.enqueue(chunk);
        sent += CHUNK;
      } else {
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
      }
    },
  }, { highWaterMark: 0 });
  return { stream, type: `multipart/form-data; boundary=${boundary}`, pulled: () => sent };
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
