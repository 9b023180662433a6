// S3-compatible store for the native stack: s3rver (credentials S3RVER/S3RVER,
// path-style URLs) plus one fix so current @aws-sdk/client-s3 versions work.
//
// Usage: bun stack/s3-server.ts --port N --dir PATH [--bucket NAME ...]
//
// The fix: when the body length is unknown (streams), the SDK uploads with
// `Content-Encoding: aws-chunked` and a trailing checksum (x-amz-content-sha256:
// STREAMING-UNSIGNED-PAYLOAD-TRAILER). s3rver 3.x stores such bodies verbatim,
// chunk framing included. The store's putObject is wrapped to decode the framing
// and drop `aws-chunked` from the stored Content-Encoding, as S3 does. This
// happens after s3rver has checked the signature over the original headers.
//
// The addition: s3rver stores multipart uploads but cannot abort or list them, which
// the API does after a refused upload. AbortMultipartUpload (DELETE ?uploadId) and
// ListMultipartUploads (GET ?uploads) are answered here over s3rver's own upload directory.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import S3rver from "s3rver";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    dir: { type: "string" },
    bucket: { type: "string", multiple: true, default: [] },
  },
});
if (!values.port || !values.dir) throw new Error("usage: bun stack/s3-server.ts --port N --dir PATH [--bucket NAME]");

/** Decodes aws-chunked framing: `<hex size>[;ext]\r\n<data>\r\n` ... `0\r\n<trailers>\r\n`. */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", offset);
    if (lineEnd < 0) throw new Error("malformed aws-chunked body: missing chunk header");
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString("latin1").split(";")[0]!, 16);
    if (Number.isNaN(size)) throw new Error("malformed aws-chunked body: bad chunk size");
    if (size === 0) return Buffer.concat(parts); // the rest is trailers (checksums)
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

interface StoredObject {
  content: AsyncIterable<Buffer> | Buffer;
  metadata: Record<string, string>;
}

const server = new S3rver({
  address: "127.0.0.1",
  port: Number(values.port),
  directory: values.dir,
  silent: false,
  configureBuckets: values.bucket.map((name) => ({ name, configs: [] })),
});

const store = (server as unknown as { store: { putObject(o: StoredObject): Promise<unknown> } }).store;
const putObject = store.putObject.bind(store);
store.putObject = async (object) => {
  const encodings = (object.metadata["content-encoding"] ?? "").split(",").map((e) => e.trim());
  if (encodings.includes("aws-chunked")) {
    const raw = Buffer.isBuffer(object.content) ? object.content : await readAll(object.content);
    object.content = decodeAwsChunked(raw);
    const rest = encodings.filter((e) => e !== "aws-chunked" && e !== "");
    if (rest.length > 0) object.metadata["content-encoding"] = rest.join(",");
    else delete object.metadata["content-encoding"];
    object.metadata["content-length"] = String(object.content.length);
  }
  return putObject(object);
};

const uploadsDir = (bucket: string): string =>
  (store as unknown as { getResourcePath(bucket: string, key: undefined, resource: string): string }).getResourcePath(bucket, undefined, "uploads");
const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

interface KoaContext { method: string; url: string; status: number; body: unknown; type: string }
const koa = server as unknown as { middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[] };
koa.middleware.unshift(async (ctx, next) => {
  const url = new URL(ctx.url, "http://s3");
  const [bucket = "", ...key] = url.pathname.slice(1).split("/");
  const uploadId = url.searchParams.get("uploadId");
  if (ctx.method === "DELETE" && uploadId !== null && key.length > 0) {
    if (!/^[A-Za-z0-9_-]+$/.test(uploadId)) return void (ctx.status = 400);
    await rm(join(uploadsDir(bucket), uploadId), { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  if (ctx.method === "GET" && url.searchParams.has("uploads") && key.filter(Boolean).length === 0) {
    const ids = await readdir(uploadsDir(bucket)).catch(() => [] as string[]);
    const uploads = await Promise.all(ids.map(async (id) => {
      const uploadKey = await readFile(join(uploadsDir(bucket), id, "key"), "utf8").catch(() => null);
      return uploadKey === null ? "" : `<Upload><Key>${xmlEscape(uploadKey)}</Key><UploadId>${xmlEscape(id)}</UploadId></Upload>`;
    }));
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
      + `<Bucket>${xmlEscape(bucket)}</Bucket><IsTruncated>false</IsTruncated>${uploads.join("")}</ListMultipartUploadsResult>`;
    return;
  }
  await next();
});

const address = await server.run();
console.log(`s3rver listening on http://127.0.0.1:${address.port} (data: ${values.dir})`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.close().finally(() => process.exit(0)));
}
