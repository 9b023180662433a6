/**
 * Every webhook route: 401 without credentials, 403 for members of another organization,
 * and the seeded roles' webhook permissions in the path's organization (D2): readonly may
 * read, the developer may read and update, the admin role everything.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send, serviceAccount, type Method } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
let paths: { collection: string; item: string };
beforeAll(async () => {
  const hook = await w.create();
  paths = { collection: `${w.base}/`, item: `${w.base}/${hook.id}` };
});

type Route = [Method, keyof typeof paths, unknown, string];
const ROUTES: Route[] = [
  ["POST", "collection", { name: "Another" }, "webhook:create"],
  ["GET", "collection", undefined, "webhook:read"],
  ["GET", "item", undefined, "webhook:read"],
  ["PATCH", "item", [{ op: "replace", path: "/description", value: "d" }], "webhook:update"],
  ["DELETE", "item", undefined, "webhook:delete"],
];

describe("webhook routes: authentication and organization-scoped permissions", () => {
  test.each(ROUTES)("%s %s without credentials → 401", async (method, key, body) => {
    const sent = await send(w.t, method, paths[key], body);
    expect(sent.status).toBe(401);
    expect(sent.headers.get("www-authenticate")).toBe("Bearer");
  });

  test.each(ROUTES)("%s %s with an invalid token → 401", async (method, key, body) => {
    expect((await send(w.t, method, paths[key], body, { authorization: "Bearer nope" })).status).toBe(401);
  });

  test.each(ROUTES)("%s %s by org B's admin → 403 naming the permission", async (method, key, body, permission) => {
    const sent = await send(w.t, method, paths[key], body, w.cast.adminB.headers);
    expect(sent).toMatchObject({ status: 403, body: { detail: `Permission denied: ${permission} required` } });
  });

  test.each(ROUTES)("%s %s by org A's readonly member → 200 on reads, 403 on writes", async (method, key, body) => {
    const sent = await send(w.t, method, paths[key], body, w.cast.readonlyA.headers);
    expect(sent.status).toBe(method === "GET" ? 200 : 403);
  });

  test("org A's developer reads and updates, but neither creates nor deletes", async () => {
    const dev = w.cast.developerA.headers;
    expect((await send(w.t, "PATCH", paths.item, [{ op: "replace", path: "/description", value: "by dev" }], dev)).status).toBe(200);
    expect((await send(w.t, "POST", paths.collection, { name: "Dev" }, dev)).status).toBe(403);
    expect((await send(w.t, "DELETE", paths.item, undefined, dev)).status).toBe(403);
  });

  test("a service account with the admin role in org A may create; the system admin may read", async () => {
    const sa = await serviceAccount(w.t, w.cast.orgA, "admin");
    expect((await send(w.t, "POST", paths.collection, { name: `By ${sa.slug}` }, sa.headers)).status).toBe(201);
    expect((await send(w.t, "GET", paths.item, undefined, w.cast.system.headers)).status).toBe(200);
  });
});
