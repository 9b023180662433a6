/** GET /uploads/, /uploads/{id}, /{id}/meta, /{id}/thumbnail: filters, bytes, caching, cookie auth, SVG headers. */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, serviceAccount, type Actor } from "../../helpers/catalog.ts";
import { createOrg, createUser, login } from "../../helpers/identity.ts";
import { png, postUpload } from "./helpers.ts";

let t: TestApp;
let admin: Actor;
let developer: Actor;
let readonly: Actor;
let outsider: Actor;
let pngUpload: { id: string; size: number };
let svgUpload: { id: string };
let pngBytes: Uint8Array;
const MISSING = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  t = await startTestApp();
  const org = await createOrg(t);
  [admin, developer, readonly, outsider] = await Promise.all([
    actor(t, { org, role: "admin" }), actor(t, { org, role: "developer" }), actor(t, { org, role: "readonly" }), actor(t),
  ]);
  // First login gives the default role (which reads uploads): take it away again.
  await t.infra.sql`delete from organization_memberships where user_id = ${outsider.user.id}`;
  pngBytes = await png(300, 100);
  pngUpload = (await postUpload(t, { data: pngBytes, type: "image/png", filename: "wide.png" }, developer.headers)).body;
  svgUpload = (await postUpload(t, {
    data: `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, type: "image/svg+xml", filename: "evil.svg",
  }, admin.headers)).body;
});
afterAll(async () => { await t?.close(); });

describe("GET /uploads/", () => {
  it("lists uploads in creation order, filtered by content_type and uploaded_by", async () => {
    const all = await (await t.req("/uploads/", { headers: readonly.headers })).json() as any;
    expect(all.map((u: { id: string }) => u.id)).toEqual([pngUpload.id, svgUpload.id]);
    const svgs = await (await t.req("/uploads/?content_type=image/svg%2Bxml", { headers: readonly.headers })).json() as any;
    expect(svgs.map((u: { id: string }) => u.id)).toEqual([svgUpload.id]);
    const mine = await (await t.req(`/uploads/?uploaded_by=${encodeURIComponent(developer.user.email)}`, { headers: readonly.headers })).json() as any;
    expect(mine.map((u: { id: string }) => u.id)).toEqual([pngUpload.id]);
    expect(await (await t.req("/uploads/?uploaded_by=nobody@example.com", { headers: readonly.headers })).json() as any).toEqual([]);
  });

  it("answers 401 without credentials and 403 without upload:read", async () => {
    expect((await t.req("/uploads/")).status).toBe(401);
    const denied = await t.req("/uploads/", { headers: outsider.headers });
    expect(denied.status).toBe(403);
    expect((await denied.json() as any).detail).toBe("Permission denied: upload:read required");
  });
});

describe("GET /uploads/{id}/meta", () => {
  it("returns the metadata", async () => {
    const response = await t.req(`/uploads/${pngUpload.id}/meta`, { headers: readonly.headers });
    expect(response.status).toBe(200);
    expect(await response.json() as any).toMatchObject({ id: pngUpload.id, filename: "wide.png", content_type: "image/png", has_thumbnail: true });
  });

  it("answers 404, 401 and 403", async () => {
    expect((await t.req(`/uploads/${MISSING}/meta`, { headers: readonly.headers })).status).toBe(404);
    expect((await t.req(`/uploads/not-a-uuid/meta`, { headers: readonly.headers })).status).toBe(404);
    expect((await t.req(`/uploads/${pngUpload.id}/meta`)).status).toBe(401);
    expect((await t.req(`/uploads/${pngUpload.id}/meta`, { headers: outsider.headers })).status).toBe(403);
  });
});

describe("GET /uploads/{id} and /{id}/thumbnail", () => {
  it("streams the stored bytes with their type, ETag and Cache-Control", async () => {
    const response = await t.req(`/uploads/${pngUpload.id}`, { headers: readonly.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("cache-control")).toBe("private, max-age=3600");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("etag")).toBe(`"${pngUpload.id}"`);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(pngBytes))).toBe(true);
  });

  it("answers 304 to a matching If-None-Match and 200 to a stale one", async () => {
    for (const path of [`/uploads/${pngUpload.id}`, `/uploads/${pngUpload.id}/thumbnail`]) {
      const first = await t.req(path, { headers: readonly.headers });
      const etag = first.headers.get("etag")!;
      await first.arrayBuffer();
      const again = await t.req(path, { headers: { ...readonly.headers, "if-none-match": `W/${etag}, "other"` } });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
      const stale = await t.req(path, { headers: { ...readonly.headers, "if-none-match": `"stale"` } });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();
    }
    const since = await t.req(`/uploads/${pngUpload.id}`, { headers: { ...readonly.headers, "if-modified-since": new Date(Date.now() + 60_000).toUTCString() } });
    expect(since.status).toBe(304);
  });

  it("serves an SVG so that it cannot run script on the API origin", async () => {
    const response = await t.req(`/uploads/${svgUpload.id}`, { headers: readonly.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-disposition")).toStartWith('attachment; filename="evil.svg"');
    await response.arrayBuffer();
  });

  it("serves the WEBP thumbnail; 404 when there is none", async () => {
    const response = await t.req(`/uploads/${pngUpload.id}/thumbnail`, { headers: readonly.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(response.headers.get("cache-control")).toBe("private, max-age=3600");
    await response.arrayBuffer();
    const none = await t.req(`/uploads/${svgUpload.id}/thumbnail`, { headers: readonly.headers });
    expect(none.status).toBe(404);
  });

  it("accepts the imbi_access_token cookie when no Authorization header is sent", async () => {
    for (const path of [`/uploads/${pngUpload.id}`, `/uploads/${pngUpload.id}/thumbnail`]) {
      const response = await t.req(path, { headers: { cookie: `theme=dark; imbi_access_token=${readonly.token}` } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const bad = await t.req(`/uploads/${pngUpload.id}`, { headers: { cookie: "imbi_access_token=garbage" } });
    expect(bad.status).toBe(401);
    // The cookie is honoured only on the byte routes.
    expect((await t.req(`/uploads/${pngUpload.id}/meta`, { headers: { cookie: `imbi_access_token=${readonly.token}` } })).status).toBe(401);
    expect((await t.req(`/uploads/`, { headers: { cookie: `imbi_access_token=${readonly.token}` } })).status).toBe(401);
  });

  it("answers 401, 403 and 404", async () => {
    for (const path of [`/uploads/${pngUpload.id}`, `/uploads/${pngUpload.id}/thumbnail`]) {
      const anonymous = await t.req(path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
      const denied = await t.req(path, { headers: { cookie: `imbi_access_token=${outsider.token}` } });
      expect(denied.status).toBe(403);
      expect((await denied.json() as any).detail).toBe("Permission denied: upload:read required");
    }
    expect((await t.req(`/uploads/${MISSING}`, { headers: readonly.headers })).status).toBe(404);
    expect((await t.req(`/uploads/${MISSING}/thumbnail`, { headers: readonly.headers })).status).toBe(404);
    expect((await t.req(`/uploads/nope`, { headers: readonly.headers })).status).toBe(404);
  });

  it("lets a service account with upload:read read (only writes are human-only)", async () => {
    const org = await createOrg(t);
    const sa = await serviceAccount(t, org, "readonly");
    const response = await t.req(`/uploads/${pngUpload.id}`, { headers: sa.headers });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it("answers 404 when the object is gone from S3 though the row remains", async () => {
    const user = await createUser(t, { isAdmin: true });
    const { access_token } = await login(t, user);
    const { body } = await postUpload(t, { data: await png(5, 5), type: "image/png" }, { authorization: `Bearer ${access_token}` });
    const [row] = await t.infra.sql`select s3_key from uploads where id = ${body.id}`;
    const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
    await t.infra.s3.send(new DeleteObjectCommand({ Bucket: t.config.settings.storage.bucket, Key: row!.s3_key }));
    expect((await t.req(`/uploads/${body.id}`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(404);
  });
});
