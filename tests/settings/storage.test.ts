/** D3: each S3_* setting, changed, has an observable effect on uploads (S3_CREATE_BUCKET_ON_INIT: infra.test.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { Socket } from "bun";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { actor, type Actor } from "../helpers/catalog.ts";
import { createOrg } from "../helpers/identity.ts";
import { deadPort } from "../helpers/tcp-proxy.ts";
import { loadStackEnv } from "../helpers/stack-env.ts";
import { loadSharp } from "../../src/infra/image.ts";
import { imageInfo, png, postUpload } from "../features/uploads/helpers.ts";

/** A TCP relay to the real S3 that keeps the plain-text HTTP requests passing through it. */
function recordingRelay(host: string, port: number) {
  let seen = "";
  const listener = Bun.listen<{ up?: Socket<unknown>; pending: Uint8Array[] }>({
    hostname: "127.0.0.1", port: 0,
    socket: {
      open(client) {
        client.data = { pending: [] };
        void Bun.connect({
          hostname: host, port,
          socket: {
            open(up) { client.data.up = up; for (const c of client.data.pending) up.write(c); client.data.pending = []; },
            data(_, chunk) { client.write(chunk); },
            close() { client.end(); },
            error() { client.end(); },
          },
        });
      },
      data(client, chunk) {
        seen += Buffer.from(chunk).toString("latin1");
        if (client.data.up) client.data.up.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) { client.data.up?.end(); },
    },
  });
  return { port: listener.port, seen: () => seen, stop: () => listener.stop(true) };
}

const opened: TestApp[] = [];
async function app(env: Record<string, string>, rewrite?: (env: Record<string, string>) => Record<string, string>) {
  const t = await startTestApp(env, rewrite);
  opened.push(t);
  return { t, admin: await actor(t, { org: await createOrg(t), role: "admin" }) };
}

let relay: ReturnType<typeof recordingRelay>;
let tuned: { t: TestApp; admin: Actor };
const BUCKET = `imbi-storage-${Date.now().toString(36)}`;
const TYPES = ["image/png", "text/plain"];

beforeAll(async () => {
  tuned = await app({
    S3_BUCKET: BUCKET, S3_REGION: "eu-west-1", S3_MAX_FILE_SIZE: "5000",
    S3_ALLOWED_CONTENT_TYPES: JSON.stringify(TYPES), S3_THUMBNAIL_MAX_SIZE: "64", S3_THUMBNAIL_QUALITY: "100",
  }, (env) => {
    const s3 = new URL(env.S3_ENDPOINT_URL!);
    relay = recordingRelay(s3.hostname, Number(s3.port));
    return { ...env, S3_ENDPOINT_URL: `http://127.0.0.1:${relay.port}` };
  });
});
afterAll(async () => {
  await Promise.all(opened.map((t) => t.close()));
  relay?.stop();
});

async function noisyPng(size: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const raw = new Uint8Array(size * size * 3).map(() => Math.floor(Math.random() * 256));
  return new Uint8Array(await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
}

async function thumbnailBytes(t: TestApp, headers: Record<string, string>, data: Uint8Array): Promise<Uint8Array> {
  const sent = await postUpload(t, { data, type: "image/png" }, headers);
  expect(sent.status).toBe(201);
  expect(sent.body.has_thumbnail).toBe(true);
  return new Uint8Array(await (await t.req(`/uploads/${sent.body.id}/thumbnail`, { headers })).arrayBuffer());
}

describe("S3_*", () => {
  test("S3_ENDPOINT_URL: objects travel to the configured endpoint; an unreachable one gives 503", async () => {
    const { t, admin } = tuned;
    const sent = await postUpload(t, { data: await png(10, 10), type: "image/png", filename: "e.png" }, admin.headers);
    expect(sent.status).toBe(201);
    expect(relay.seen()).toContain(`PUT /${BUCKET}/uploads/${sent.body.id}/e.png`);

    const dead = await app({ S3_CREATE_BUCKET_ON_INIT: "false" }, (env) => ({ ...env, S3_ENDPOINT_URL: `http://127.0.0.1:${deadPort()}` }));
    const refused = await postUpload(dead.t, { data: await png(10, 10), type: "image/png" }, dead.admin.headers);
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toStartWith("Object storage is unavailable (write)");
  });

  test("S3_ACCESS_KEY signs the requests; an unknown key is refused by S3 (503)", async () => {
    expect(relay.seen()).toContain(`Credential=${tuned.t.env.S3_ACCESS_KEY}/`);
    // The stack's own bucket exists, so the only thing wrong is the key.
    const { t, admin } = await app({ S3_ACCESS_KEY: "NOBODY", S3_BUCKET: loadStackEnv().S3_BUCKET!, S3_CREATE_BUCKET_ON_INIT: "false" });
    const sent = await postUpload(t, { data: await png(10, 10), type: "image/png" }, admin.headers);
    expect(sent.status).toBe(503);
    expect(sent.body.detail).toBe("Object storage is unavailable (write): InvalidAccessKeyId");
  });

  test("S3_SECRET_KEY is the signing secret (s3rver does not verify SigV4 signatures, so the client is checked)", async () => {
    const { t } = await app({ S3_SECRET_KEY: "another-secret", S3_CREATE_BUCKET_ON_INIT: "false" });
    expect(await t.infra.s3.config.credentials()).toMatchObject({ accessKeyId: t.env.S3_ACCESS_KEY, secretAccessKey: "another-secret" });
  });

  test("S3_BUCKET: uploads land in the named bucket", async () => {
    const { t, admin } = tuned;
    const sent = await postUpload(t, { data: await png(10, 10), type: "image/png", filename: "b.png" }, admin.headers);
    const env = loadStackEnv(); // straight to S3, not through the recording relay
    const observer = new S3Client({
      region: "us-east-1", endpoint: env.S3_ENDPOINT_URL, forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY!, secretAccessKey: env.S3_SECRET_KEY! },
    });
    const listed = await observer.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `uploads/${sent.body.id}/` }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([`uploads/${sent.body.id}/b.png`, `uploads/${sent.body.id}/thumbnail.webp`]);
    observer.destroy();
  });

  test("S3_REGION: requests are signed for the configured region", async () => {
    const { t, admin } = tuned;
    expect((await postUpload(t, { data: await png(10, 10), type: "image/png" }, admin.headers)).status).toBe(201);
    expect(relay.seen()).toMatch(/Credential=[^/]+\/\d{8}\/eu-west-1\/s3\/aws4_request/);
    expect(relay.seen()).not.toContain("/us-east-1/s3/aws4_request");
  });

  test("S3_MAX_FILE_SIZE: 5000 bytes pass, 5001 are refused with 413", async () => {
    const { t, admin } = tuned;
    expect((await postUpload(t, { data: "a".repeat(5000), type: "text/plain" }, admin.headers)).status).toBe(201);
    const over = await postUpload(t, { data: "a".repeat(5001), type: "text/plain" }, admin.headers);
    expect(over.status).toBe(413);
    expect(over.body.detail).toBe("File size exceeds maximum of 5000 bytes (5000 bytes)");
  });

  test("S3_ALLOWED_CONTENT_TYPES: only the listed types are accepted (a default one is now refused)", async () => {
    const { t, admin } = tuned;
    expect((await postUpload(t, { data: "notes", type: "text/plain" }, admin.headers)).status).toBe(201);
    const gif = await postUpload(t, { data: "GIF89a", type: "image/gif" }, admin.headers);
    expect(gif.status).toBe(415);
    expect(gif.body.detail).toBe(`Content type 'image/gif' is not allowed. Allowed types: ${JSON.stringify(TYPES)}`);
  });

  test("S3_THUMBNAIL_MAX_SIZE: thumbnails fit in 64×64", async () => {
    const { t, admin } = tuned;
    const info = await imageInfo(await thumbnailBytes(t, admin.headers, await png(40, 20)));
    expect(info).toMatchObject({ width: 40, height: 20 }); // smaller than the box: unchanged
    const tall = await imageInfo(await thumbnailBytes(t, admin.headers, await png(100, 400)));
    expect(tall).toMatchObject({ format: "webp", width: 16, height: 64 });
  });

  test("S3_THUMBNAIL_QUALITY: a lower quality gives a smaller WEBP (0 is accepted as the minimum)", async () => {
    const low = await app({ S3_THUMBNAIL_MAX_SIZE: "64", S3_THUMBNAIL_QUALITY: "0", S3_MAX_FILE_SIZE: "1000000" });
    const high = await app({ S3_THUMBNAIL_MAX_SIZE: "64", S3_THUMBNAIL_QUALITY: "100", S3_MAX_FILE_SIZE: "1000000" });
    const source = await noisyPng(64);
    const small = await thumbnailBytes(low.t, low.admin.headers, source);
    const large = await thumbnailBytes(high.t, high.admin.headers, source);
    expect(small.byteLength * 2).toBeLessThan(large.byteLength);
  });
});
