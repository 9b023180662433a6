/** S3 unreachable: 503 with a detail, nothing half-written or half-deleted. */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, type Actor } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";
import { startRestorableTcpProxy, type RestorableTcpProxy } from "../../helpers/tcp-proxy.ts";
import { bucketKeys, png, postUpload, uploadRows } from "./helpers.ts";

let t: TestApp;
let relay: RestorableTcpProxy;
let admin: Actor;

beforeAll(async () => {
  t = await startTestApp({}, (env) => {
    const s3 = new URL(env.S3_ENDPOINT_URL!);
    relay = startRestorableTcpProxy(s3.hostname, Number(s3.port));
    return { ...env, S3_ENDPOINT_URL: `http://127.0.0.1:${relay.port}` };
  });
  admin = await actor(t, { org: await createOrg(t), role: "admin" });
});
afterAll(async () => {
  relay?.restore();
  await t?.close();
  relay?.cut();
});

describe("S3 unreachable", () => {
  it("POST answers 503 with a detail and writes no row", async () => {
    relay.cut();
    try {
      const sent = await postUpload(t, { data: await png(50, 50), type: "image/png" }, admin.headers);
      expect(sent.status).toBe(503);
      expect(sent.body.detail).toStartWith("Object storage is unavailable (write)");
      expect(await uploadRows(t)).toBe(0);
    } finally {
      relay.restore();
    }
    expect(await bucketKeys(t)).toEqual([]);
  });

  it("GET bytes answers 503; DELETE answers 503 and keeps the row and the objects", async () => {
    const sent = await postUpload(t, { data: await png(50, 50), type: "image/png" }, admin.headers);
    expect(sent.status).toBe(201);
    const keys = await bucketKeys(t);
    relay.cut();
    try {
      const read = await t.req(`/uploads/${sent.body.id}`, { headers: admin.headers });
      expect(read.status).toBe(503);
      expect((await read.json() as any).detail).toStartWith("Object storage is unavailable (read)");
      const removed = await t.req(`/uploads/${sent.body.id}`, { method: "DELETE", headers: admin.headers });
      expect(removed.status).toBe(503);
      expect((await removed.json() as any).detail).toStartWith("Object storage is unavailable (delete)");
      // Metadata needs no S3.
      expect((await t.req(`/uploads/${sent.body.id}/meta`, { headers: admin.headers })).status).toBe(200);
    } finally {
      relay.restore();
    }
    expect(await uploadRows(t)).toBe(1);
    expect(await bucketKeys(t)).toEqual(keys);
    expect((await t.req(`/uploads/${sent.body.id}`, { method: "DELETE", headers: admin.headers })).status).toBe(204);
  });
});
