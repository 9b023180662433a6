/**
 * Every documents route: 401 without credentials, 403 for members of another organization,
 * 403 for org A's readonly member on writes (reads are fine), in the path's org (D2).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send, serviceAccount, type Method } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
let paths: Record<string, string>;
beforeAll(async () => {
  const d = await w.doc();
  paths = {
    index: `${w.org}/documents/`, indexDoc: `${w.org}/documents/${d.id}`,
    project: `${w.projectDocs()}/`, projectDoc: `${w.projectDocs()}/${d.id}`,
    type: `${w.org}/project-types/${w.catalog.api.slug}/documents/`,
    user: `${w.org}/users/${encodeURIComponent(w.cast.developerA.user.email)}/documents/`,
  };
});

const body = { title: "x", content: "y" };
const patch = [{ op: "replace", path: "/title", value: "z" }];
const ROUTES: [Method, string, unknown, boolean][] = [
  ["GET", "index", undefined, false],
  ["GET", "indexDoc", undefined, false],
  ["PATCH", "indexDoc", patch, true],
  ["GET", "project", undefined, false],
  ["POST", "project", body, true],
  ["GET", "projectDoc", undefined, false],
  ["PATCH", "projectDoc", patch, true],
  ["GET", "type", undefined, false],
  ["POST", "type", body, true],
  ["GET", "user", undefined, false],
  ["POST", "user", body, true],
  // last: a successful delete removes the document
  ["DELETE", "projectDoc", undefined, true],
  ["DELETE", "indexDoc", undefined, true],
];

describe("documents routes: authentication and organization-scoped permissions", () => {
  test.each(ROUTES)("%s %s without credentials → 401", async (method, key, payload) => {
    const sent = await send(w.t, method, paths[key]!, payload);
    expect(sent.status).toBe(401);
    expect(sent.headers.get("www-authenticate")).toBe("Bearer");
  });

  test.each(ROUTES)("%s %s by org B's admin → 403", async (method, key, payload) => {
    const sent = await send(w.t, method, paths[key]!, payload, w.cast.adminB.headers);
    expect(sent.status).toBe(403);
  });

  test.each(ROUTES)("%s %s by org A's readonly member → 403 on writes, 2xx on reads", async (method, key, payload, write) => {
    const sent = await send(w.t, method, paths[key]!, payload, w.cast.readonlyA.headers);
    expect(sent.status).toBe(write ? 403 : 200);
    if (write) expect(sent.body.detail).toMatch(/^Permission denied: document:(create|write|delete) required$/);
  });

  test("an invalid bearer token → 401 (not 404)", async () => {
    const sent = await send(w.t, "GET", paths.index!, undefined, { authorization: "Bearer nope" });
    expect(sent.status).toBe(401);
  });

  test("a service account with a role in org A may write documents (created_by = its slug); the system admin may too", async () => {
    const sa = await serviceAccount(w.t, w.cast.orgA, "developer");
    const created = await send(w.t, "POST", paths.project!, body, sa.headers);
    expect(created.status).toBe(201);
    expect(created.body.created_by).toBe(sa.slug);
    expect(created.body.created_by_name).toBeNull();
    const admin = await send(w.t, "GET", paths.index!, undefined, w.cast.system.headers);
    expect(admin.status).toBe(200);
  });
});
