/** POST /uploads/: validation, permissions, human-only, and consistency between S3 and the row. */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, serviceAccount, type Actor } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";
import { bucketKeys, jpeg, png, postUpload, uploadRows } from "./helpers.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: Actor;
let developer: Actor;
let readonly: Actor;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrg(t);
  [admin, developer, readonly] = await Promise.all([
    actor(t, { org, role: "admin" }), actor(t, { org, role: "developer" }), actor(t, { org, role: "readonly" }),
  ]);
});
afterAll(async () => { await t?.close(); });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("POST /uploads/", () => {
  it("stores a PNG and answers 201 with the metadata", async () => {
    const data = await png(40, 20);
    const sent = await postUpload(t, { data, type: "image/png", filename: "logo (1).png" }, developer.headers);
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      id: expect.stringMatching(UUID), filename: "logo (1).png", content_type: "image/png", size: data.byteLength,
      has_thumbnail: true, uploaded_by: developer.user.email, created_at: expect.stringMatching(/Z$/),
    });
    const keys = await bucketKeys(t);
    expect(keys).toContain(`uploads/${sent.body.id}/logo-1-.png`); // runs outside [A-Za-z0-9._-] become "-"
    expect(keys).toContain(`uploads/${sent.body.id}/thumbnail.webp`);
    const [row] = await t.infra.sql`select uploaded_by_id from uploads where id = ${sent.body.id}`;
    expect(row!.uploaded_by_id).toBe(developer.user.id);
  });

  it("emits upload.created and, on delete, upload.deleted", async () => {
    const seen: string[] = [];
    t.ctx.events.subscribe((event) => void seen.push(`${event.type}:${(event.detail as { upload_id?: string })?.upload_id}`));
    const sent = await postUpload(t, { data: await png(8, 8), type: "image/png", filename: "e.png" }, admin.headers);
    expect((await t.req(`/uploads/${sent.body.id}`, { method: "DELETE", headers: admin.headers })).status).toBe(204);
    expect(seen).toEqual([`upload.created:${sent.body.id}`, `upload.deleted:${sent.body.id}`]);
  });

  it("stores SVG and PDF (no thumbnail)", async () => {
    const svg = await postUpload(t, { data: `<svg xmlns="http://www.w3.org/2000/svg"/>`, type: "image/svg+xml", filename: "i.svg" }, admin.headers);
    expect(svg.status).toBe(201);
    expect(svg.body.has_thumbnail).toBe(false);
    const pdf = await postUpload(t, { data: "%PDF-1.4\n%\xE2\xE3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", type: "application/pdf", filename: "d.pdf" }, admin.headers);
    expect(pdf.status).toBe(201);
    expect(pdf.body.has_thumbnail).toBe(false);
  });

  it("answers 401 without credentials and writes nothing", async () => {
    const before = await bucketKeys(t);
    const sent = await postUpload(t, { data: await png(4, 4), type: "image/png" }, {});
    expect(sent.status).toBe(401);
    expect(sent.headers.get("www-authenticate")).toBe("Bearer");
    expect(await bucketKeys(t)).toEqual(before);
  });

  it("answers 403 to a role without upload:create (readonly)", async () => {
    const sent = await postUpload(t, { data: await png(4, 4), type: "image/png" }, readonly.headers);
    expect(sent.status).toBe(403);
    expect(sent.body.detail).toBe("Permission denied: upload:create required");
  });

  it("answers 403 to a service account holding upload:create, before anything is written", async () => {
    const sa = await serviceAccount(t, org, "admin");
    const [keys, rows] = [await bucketKeys(t), await uploadRows(t)];
    const sent = await postUpload(t, { data: await png(4, 4), type: "image/png" }, sa.headers);
    expect(sent.status).toBe(403);
    expect(sent.body.detail).toBe("This endpoint requires user authentication");
    expect(await bucketKeys(t)).toEqual(keys);
    expect(await uploadRows(t)).toBe(rows);
  });

  it.each([
    ["a type outside S3_ALLOWED_CONTENT_TYPES", { data: "hello", type: "text/plain" }, 415, "Content type 'text/plain' is not allowed"],
    ["no declared type", { data: "hello", type: "" }, 415, "Content type 'application/octet-stream' is not allowed"],
    ["an empty file", { data: new Uint8Array(), type: "image/png" }, 400, "File is empty"],
    ["a text file declared as image/png", { data: "just some text, not a picture", type: "image/png" }, 400, "could not be identified"],
    ["a PDF declared as image/gif", { data: "%PDF-1.4\n%%EOF\n", type: "image/gif" }, 400, "File content is application/pdf, but it was declared as image/gif"],
  ] as const)("refuses %s", async (_, part, status, detail) => {
    const [keys, rows] = [await bucketKeys(t), await uploadRows(t)];
    const sent = await postUpload(t, { ...part, data: part.data }, admin.headers);
    expect(sent.status).toBe(status);
    expect(sent.body.detail).toContain(detail);
    expect(await bucketKeys(t)).toEqual(keys);
    expect(await uploadRows(t)).toBe(rows);
  });

  it("refuses a PNG declared as image/jpeg (magic bytes)", async () => {
    const sent = await postUpload(t, { data: await png(8, 8), type: "image/jpeg", filename: "x.jpg" }, admin.headers);
    expect(sent.status).toBe(400);
    expect(sent.body.detail).toBe("File content is image/png, but it was declared as image/jpeg");
  });

  it("accepts a JPEG declared as image/jpeg", async () => {
    const sent = await postUpload(t, { data: await jpeg(8, 8), type: "image/jpeg", filename: "x.jpg" }, admin.headers);
    expect(sent.status).toBe(201);
  });

  it("answers 422 when the file part is missing or the body is not multipart", async () => {
    const wrongField = await postUpload(t, { data: await png(4, 4), type: "image/png", field: "upload" }, admin.headers);
    expect(wrongField.status).toBe(422);
    expect(wrongField.body.detail).toEqual([{ type: "missing", loc: ["body", "file"], msg: "Field required" }]);
    const json = await t.req("/uploads/", { method: "POST", body: "{}", headers: { ...admin.headers, "content-type": "application/json" } });
    expect(json.status).toBe(422);
  });

  it("answers 400 to a malformed multipart body, never 500", async () => {
    const response = await t.req("/uploads/", {
      method: "POST", body: "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG",
      headers: { ...admin.headers, "content-type": "multipart/form-data; boundary=x" },
    });
    expect(response.status).toBe(400);
    expect((await response.json() as any).detail).toContain("Malformed multipart body");
  });

  it("removes the S3 objects when the metadata row cannot be written", async () => {
    const keys = await bucketKeys(t);
    await t.infra.sql`alter table uploads rename to uploads_away`;
    try {
      const sent = await postUpload(t, { data: await png(30, 30), type: "image/png" }, admin.headers);
      expect(sent.status).toBe(500);
    } finally {
      await t.infra.sql`alter table uploads_away rename to uploads`;
    }
    expect(await bucketKeys(t)).toEqual(keys);
  });
});
