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

const address = await server.run();
console.log(`s3rver listening on http://127.0.0.1:${address.port} (data: ${values.dir})`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => server.close().finally(() => process.exit(0)));
}
