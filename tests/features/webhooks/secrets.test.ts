/**
 * Webhook secrets: write-only. Stored as Fernet ciphertext under IMBI_AUTH_ENCRYPTION_KEY,
 * never in a response (only `has_secret`), kept across patches that do not touch /secret,
 * replaced or cleared when they do.
 */
import { describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const admin = () => w.cast.adminA.headers;
const SECRET = "whsec-correct-horse-battery-staple";
const stored = async (id: string) =>
  (await w.t.infra.sql<{ secret_encrypted: string | null }[]>`select secret_encrypted from webhooks where id = ${id}`)[0]!.secret_encrypted;

describe("webhook secrets", () => {
  test("created with a secret: has_secret, no secret field, ciphertext at rest that decrypts to it", async () => {
    const sent = await send(w.t, "POST", `${w.base}/`, { name: "Signed", secret: SECRET }, admin());
    expect(sent.status).toBe(201);
    expect(sent.body.has_secret).toBe(true);
    expect(Object.keys(sent.body)).not.toContain("secret");
    expect(JSON.stringify(sent.body)).not.toContain(SECRET);
    const ciphertext = await stored(sent.body.id);
    expect(ciphertext).not.toBeNull();
    expect(ciphertext).not.toContain(SECRET);
    expect(w.t.ctx.fernet.decryptText(ciphertext!)).toBe(SECRET);
  });

  test("no response of any route carries the secret", async () => {
    const created = await send(w.t, "POST", `${w.base}/`, { name: "Leak check", secret: SECRET }, admin());
    const item = `${w.base}/${created.body.id}`;
    const responses = [
      created,
      await send(w.t, "GET", `${w.base}/`, undefined, admin()),
      await send(w.t, "GET", item, undefined, admin()),
      await send(w.t, "PATCH", item, [{ op: "replace", path: "/name", value: "Leak check 2" }], admin()),
      await send(w.t, "PATCH", item, [{ op: "test", path: "/secret", value: null }, { op: "replace", path: "/icon", value: "i" }], admin()),
    ];
    for (const response of responses) expect(JSON.stringify(response.body)).not.toContain(SECRET);
    // The patch document always shows null for the secret, so it cannot be probed with `test`.
    expect(responses[4]!).toMatchObject({ status: 200, body: { has_secret: true } });
    expect((await send(w.t, "PATCH", item, [{ op: "test", path: "/secret", value: SECRET }], admin())).status).toBe(422);
  });

  test("a patch that does not touch /secret keeps it; replacing sets a new one; null clears it", async () => {
    const created = await send(w.t, "POST", `${w.base}/`, { name: "Rotating", secret: SECRET }, admin());
    const item = `${w.base}/${created.body.id}`;
    const before = await stored(created.body.id);
    await send(w.t, "PATCH", item, [{ op: "replace", path: "/description", value: "x" }], admin());
    expect(await stored(created.body.id)).toBe(before);
    const rotated = await send(w.t, "PATCH", item, [{ op: "replace", path: "/secret", value: "new-secret" }], admin());
    expect(rotated.body.has_secret).toBe(true);
    expect(JSON.stringify(rotated.body)).not.toContain("new-secret");
    expect(w.t.ctx.fernet.decryptText((await stored(created.body.id))!)).toBe("new-secret");
    const cleared = await send(w.t, "PATCH", item, [{ op: "replace", path: "/secret", value: null }], admin());
    expect(cleared.body.has_secret).toBe(false);
    expect(await stored(created.body.id)).toBeNull();
    const set = await send(w.t, "PATCH", item, [{ op: "add", path: "/secret", value: SECRET }], admin());
    expect(set.body.has_secret).toBe(true);
  });

  test("the secret is not in the audit event or the logs", async () => {
    await send(w.t, "POST", `${w.base}/`, { name: "Logged", secret: SECRET }, admin());
    expect(JSON.stringify(w.t.logs)).not.toContain(SECRET);
  });
});

describe("the OpenAPI document", () => {
  test("lists the webhook, project-service and dashboard routes; the webhook response declares has_secret and no secret", async () => {
    const response = await w.t.req("/openapi.json");
    expect(response.status).toBe(200);
    const doc = await response.json() as { paths: Record<string, Record<string, any>> };
    for (const path of [
      "/organizations/{org_slug}/webhooks/", "/organizations/{org_slug}/webhooks/{webhook}",
      "/organizations/{org_slug}/projects/{project_id}/services/", "/organizations/{org_slug}/projects/{project_id}/services/{service_slug}",
      "/admin/dashboard/status", "/admin/dashboard/metrics",
    ]) expect(Object.keys(doc.paths)).toContain(path);
    const schema = doc.paths["/organizations/{org_slug}/webhooks/{webhook}"]!.get.responses["200"].content["application/json"].schema;
    expect(Object.keys(schema.properties)).toContain("has_secret");
    expect(Object.keys(schema.properties)).not.toContain("secret");
  });
});
