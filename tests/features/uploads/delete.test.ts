/** DELETE /uploads/{id}: row and both objects; human-only; 409 while used as an icon (D2). */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, insertTeam, serviceAccount, type Actor } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";
import { bucketKeys, png, postUpload, uploadRows } from "./helpers.ts";

let t: TestApp;
let org: { id: string; slug: string };
let admin: Actor;
let developer: Actor;

beforeAll(async () => {
  t = await startTestApp();
  org = await createOrg(t);
  [admin, developer] = await Promise.all([actor(t, { org, role: "admin" }), actor(t, { org, role: "developer" })]);
});
afterAll(async () => { await t?.close(); });

async function newUpload(): Promise<string> {
  const sent = await postUpload(t, { data: await png(300, 300), type: "image/png", filename: "x.png" }, admin.headers);
  expect(sent.status).toBe(201);
  return sent.body.id;
}

const del = (id: string, headers: Record<string, string> = admin.headers) => t.req(`/uploads/${id}`, { method: "DELETE", headers });

describe("DELETE /uploads/{id}", () => {
  it("removes the row, the original and the thumbnail", async () => {
    const id = await newUpload();
    expect((await bucketKeys(t)).filter((k) => k.includes(id))).toHaveLength(2);
    const response = await del(id);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await bucketKeys(t)).filter((k) => k.includes(id))).toEqual([]);
    expect((await t.req(`/uploads/${id}/meta`, { headers: admin.headers })).status).toBe(404);
    expect((await del(id)).status).toBe(404);
  });

  it("answers 401 and 403 (developer lacks upload:delete)", async () => {
    const id = await newUpload();
    expect((await del(id, {})).status).toBe(401);
    const denied = await del(id, developer.headers);
    expect(denied.status).toBe(403);
    expect((await denied.json() as any).detail).toBe("Permission denied: upload:delete required");
  });

  it("answers 403 to a service account holding upload:delete, and deletes nothing", async () => {
    const id = await newUpload();
    const sa = await serviceAccount(t, org, "admin");
    const [keys, rows] = [await bucketKeys(t), await uploadRows(t)];
    const denied = await del(id, sa.headers);
    expect(denied.status).toBe(403);
    expect((await denied.json() as any).detail).toBe("This endpoint requires user authentication");
    expect(await bucketKeys(t)).toEqual(keys);
    expect(await uploadRows(t)).toBe(rows);
  });

  it("answers 404 for an unknown or malformed id", async () => {
    expect((await del("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await del("nope")).status).toBe(404);
  });

  it("answers 409 naming the entities that use the upload as their icon, and keeps everything", async () => {
    const id = await newUpload();
    const team = await insertTeam(t, org.id);
    await t.infra.sql`update teams set icon = ${`/uploads/${id}`} where id = ${team.id}`;
    await t.infra.sql`update organizations set icon = ${`/api/uploads/${id}/thumbnail`} where id = ${org.id}`;
    const keys = await bucketKeys(t);
    const response = await del(id);
    expect(response.status).toBe(409);
    expect((await response.json() as any).detail).toBe(
      `Upload is in use as the icon of: organization '${org.slug}', team '${org.slug}/${team.slug}'`);
    expect(await bucketKeys(t)).toEqual(keys);
    expect((await t.req(`/uploads/${id}/meta`, { headers: admin.headers })).status).toBe(200);

    await t.infra.sql`update teams set icon = null where id = ${team.id}`;
    await t.infra.sql`update organizations set icon = null where id = ${org.id}`;
    expect((await del(id)).status).toBe(204);
  });
});
