/** Thumbnails: WEBP inside S3_THUMBNAIL_MAX_SIZE², never upscaled, EXIF-oriented, first frame, bomb-safe. */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { loadSharp } from "../../../src/infra/image.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, type Actor } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";
import { bucketKeys, imageInfo, jpeg, png, pngHeaderClaiming, postUpload } from "./helpers.ts";

let t: TestApp;
let admin: Actor;

beforeAll(async () => {
  t = await startTestApp();
  admin = await actor(t, { org: await createOrg(t), role: "admin" });
});
afterAll(async () => { await t?.close(); });

async function thumbnailOf(data: Uint8Array, type: string) {
  const sent = await postUpload(t, { data, type, filename: "img" }, admin.headers);
  expect(sent.status).toBe(201);
  if (!sent.body.has_thumbnail) return { upload: sent.body, info: undefined };
  const response = await t.req(`/uploads/${sent.body.id}/thumbnail`, { headers: admin.headers });
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { upload: sent.body, info: await imageInfo(bytes), bytes };
}

describe("thumbnails", () => {
  it("fit a landscape image inside 256×256 as WEBP, aspect kept", async () => {
    const { info } = await thumbnailOf(await png(1024, 512), "image/png");
    expect(info).toMatchObject({ format: "webp", width: 256, height: 128 });
  });

  it("fit a portrait JPEG inside the box", async () => {
    const { info } = await thumbnailOf(await jpeg(300, 600), "image/jpeg");
    expect(info).toMatchObject({ format: "webp", width: 128, height: 256 });
  });

  it("never upscale a small image", async () => {
    const { info } = await thumbnailOf(await png(40, 30), "image/png");
    expect(info).toMatchObject({ format: "webp", width: 40, height: 30 });
  });

  it("apply EXIF orientation (6 = rotate 90°: a 400×200 stored image displays 200×400)", async () => {
    const { info } = await thumbnailOf(await jpeg(400, 200, 6), "image/jpeg");
    expect(info).toMatchObject({ width: 128, height: 256 });
    expect(info!.orientation).toBeUndefined();
  });

  it("take the first frame of an animated GIF", async () => {
    const sharp = await loadSharp();
    const red = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 255, g: 0, b: 0 } } }).raw().toBuffer();
    const blue = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 0, b: 255 } } }).raw().toBuffer();
    const gif = await sharp(Buffer.concat([red, blue]), { raw: { width: 64, height: 128, channels: 3, pageHeight: 64 } })
      .gif({ delay: [100, 100], loop: 0 }).toBuffer();
    expect((await imageInfo(new Uint8Array(gif))).pages).toBe(2);
    const { info, bytes } = await thumbnailOf(new Uint8Array(gif), "image/gif");
    expect(info).toMatchObject({ format: "webp", width: 64, height: 64 });
    expect(info!.pages ?? 1).toBe(1);
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200); // red, the first frame
    expect(data[2]).toBeLessThan(60);
  });

  it("make one from a WEBP", async () => {
    const sharp = await loadSharp();
    const webp = await sharp({ create: { width: 500, height: 500, channels: 3, background: "#0a0" } }).webp().toBuffer();
    const { info } = await thumbnailOf(new Uint8Array(webp), "image/webp");
    expect(info).toMatchObject({ format: "webp", width: 256, height: 256 });
  });

  it("refuse a decompression bomb: the upload is stored without a thumbnail", async () => {
    const bomb = pngHeaderClaiming(60_000, 60_000); // 3.6 gigapixels declared in a few KB
    const { upload, info } = await thumbnailOf(bomb, "image/png");
    expect(upload.has_thumbnail).toBe(false);
    expect(info).toBeUndefined();
    expect(await bucketKeys(t)).not.toContain(`uploads/${upload.id}/thumbnail.webp`);
    expect((await t.req(`/uploads/${upload.id}/thumbnail`, { headers: admin.headers })).status).toBe(404);
    expect(t.logs.some((l) => l.msg.includes("thumbnail not generated") && l.upload_id === upload.id)).toBe(true);
  });

  it("a corrupt image still uploads, without a thumbnail", async () => {
    const good = await png(100, 100);
    const broken = good.slice(0, 60); // valid signature and header, truncated data
    const { upload } = await thumbnailOf(broken, "image/png");
    expect(upload.has_thumbnail).toBe(false);
  });
});
