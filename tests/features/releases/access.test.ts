/**
 * Every releases route: 401 without credentials, 403 for members of another organization,
 * 403 for org A's readonly member on writes (reads are fine), in the path's org (D2).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send, serviceAccount, type Method } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
let paths: Record<string, string>;
beforeAll(async () => {
  const p = await w.project();
  const r = await w.release(p);
  await w.deploy(p, r.id, w.catalog.staging.slug);
  const base = w.releases(p);
  paths = {
    collection: `${base}/`, current: `${base}/current`, release: `${base}/${r.id}`,
    edges: `${base}/${r.id}/environments`, edge: `${base}/${r.id}/environments/${w.catalog.staging.slug}`,
  };
});

const ROUTES: [Method, string, unknown, boolean][] = [
  ["POST", "collection", { committish: "abcdef0", title: "x" }, true],
  ["GET", "collection", undefined, false],
  ["GET", "current", undefined, false],
  ["GET", "release", undefined, false],
  ["PATCH", "release", [{ op: "replace", path: "/title", value: "y" }], true],
  ["DELETE", "release", undefined, true],
  ["GET", "edges", undefined, false],
  ["GET", "edge", undefined, false],
  ["POST", "edge", { status: "success" }, true],
];

describe("releases routes: authentication and organization-scoped permissions", () => {
  test.each(ROUTES)("%s %s without credentials → 401", async (method, key, body) => {
    const sent = await send(w.t, method, paths[key]!, body);
    expect(sent.status).toBe(401);
  });

  test.each(ROUTES)("%s %s by org B's admin → 403", async (method, key, body) => {
    const sent = await send(w.t, method, paths[key]!, body, w.cast.adminB.headers);
    expect(sent.status).toBe(403);
  });

  test.each(ROUTES)("%s %s by org A's readonly member → 403 on writes, 200 on reads", async (method, key, body, write) => {
    const sent = await send(w.t, method, paths[key]!, body, w.cast.readonlyA.headers);
    expect(sent.status).toBe(write ? 403 : 200);
  });

  test("an invalid bearer token → 401 (not 404)", async () => {
    const sent = await send(w.t, "GET", paths.collection!, undefined, { authorization: "Bearer nope" });
    expect(sent.status).toBe(401);
  });

  test("a service account with a role in org A may record releases; the system admin may too", async () => {
    const sa = await serviceAccount(w.t, w.cast.orgA, "developer");
    const created = await send(w.t, "POST", paths.collection!, { committish: "5a5a5a5", title: "by SA" }, sa.headers);
    expect(created.status).toBe(201);
    expect(created.body.created_by).toBe(sa.slug);
    const admin = await send(w.t, "GET", paths.current!, undefined, w.cast.system.headers);
    expect(admin.status).toBe(200);
  });
});
