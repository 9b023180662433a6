/** Upload test helpers: multipart requests, images made with sharp, the test bucket's keys. */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { loadSharp } from "../../../src/infra/image.ts";
import type { TestApp } from "../../helpers/app.ts";

export interface Part {
  data: Uint8Array | string;
  type?: string;
  filename?: string;
  field?: string;
}

export function multipart(part: Part, headers: Record<string, string> = {}): RequestInit {
  const form = new FormData();
  form.append(part.field ?? "file", new File([part.data], part.filename ?? "file.bin", { type: part.type ?? "" }));
  return { method: "POST", body: form, headers };
}

export async function postUpload(t: TestApp, part: Part, headers: Record<string, string>) {
  const response = await t.req("/uploads/", multipart(part, headers));
  const text = await response.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* keep text */ }
  return { status: response.status, body, headers: response.headers };
}

export async function png(width: number, height: number, color = { r: 200, g: 30, b: 30 }): Promise<Uint8Array> {
  const sharp = await loadSharp();
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer());
}

export async function jpeg(width: number, height: number, orientation?: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  let image = sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } }).jpeg();
  if (orientation) image = image.withMetadata({ orientation });
  return new Uint8Array(await image.toBuffer());
}

export async function imageInfo(data: Uint8Array) {
  const sharp = await loadSharp();
  return sharp(data, { pages: -1 }).metadata();
}

export async function bucketKeys(t: TestApp): Promise<string[]> {
  const out = await t.infra.s3.send(new ListObjectsV2Command({ Bucket: t.config.settings.storage.bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

export async function uploadRows(t: TestApp): Promise<number> {
  const [row] = await t.infra.sql<{ n: number }[]>`select count(*)::int as n from uploads`;
  return row!.n;
}

/** A PNG whose header claims width × height pixels, with no real image data (a decompression bomb's header). */
export function pngHeaderClaiming(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = new Uint8Array([...new TextEncoder().encode(type), ...data]);
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(body, 4);
    view.setUint32(8 + data.length, Bun.hash.crc32(body));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const idat = Bun.deflateSync(new Uint8Array(1024));
  return new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, ...chunk("IHDR", ihdr), ...chunk("IDAT", idat), ...chunk("IEND", new Uint8Array())]);
}
