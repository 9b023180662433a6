/**
 * Every operations-log route: 401 without credentials; 403 without the permission; and, the
 * routes being global, 403 for an entry whose project is in an organization where the caller
 * lacks it (D2), while lists only show the caller's organizations.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send, serviceAccount, type Method } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
let entryA: Record<string, any>;
let entryB: Record<string, any>;
let paths: Record<string, string>;

beforeAll(async () => {
  entryA = await w.record({ description: "in A" });
  entryB = await w.record({
    project_id: w.projectB.id, project_slug: w.projectB.slug, environment_slug: w.catalogB.staging.slug, description: "in B",
  }, w.cast.adminB.headers);
  paths = {
    collection: "/operations-log/", templates: "/operations-log/plugin-templates", entry: `/operations-log/${entryA.id}`,
    project: `/organizations/${w.cast.orgA.slug}/projects/${w.projectA.id}/operations-log/`,
  };
});

const ROUTES: [Method, string, () => unknown, "read" | "write"][] = [
  ["POST", "collection", () => w.body(), "write"],
  ["GET", "collection", () => undefined, "read"],
  ["GET", "templates", () => undefined, "read"],
  ["GET", "entry", () => undefined, "read"],
  ["PATCH", "entry", () => [{ op: "replace", path: "/notes", value: "n" }], "write"],
  ["DELETE", "entry", () => undefined, "write"],
  ["GET", "project", () => undefined, "read"],
];

describe("operations-log routes: authentication and permissions", () => {
  test.each(ROUTES)("%s %s without credentials → 401", async (method, key, body) => {
    const sent = await send(w.t, method, paths[key]!, body());
    expect(sent.status).toBe(401);
    expect(sent.headers.get("www-authenticate")).toBe("Bearer");
  });

  test.each(ROUTES)("%s %s by org A's developer (no operations_log permission) → 403", async (method, key, body) => {
    const sent = await send(w.t, method, paths[key]!, body(), w.cast.developerA.headers);
    expect(sent.status).toBe(403);
    expect(sent.body.detail).toMatch(/^Permission denied: operations_log:(read|create|update|delete) required$/);
  });

  test.each(ROUTES)("%s %s by org A's readonly member → 403 on writes, 200 on reads", async (method, key, body, kind) => {
    const sent = await send(w.t, method, paths[key]!, body(), w.cast.readonlyA.headers);
    expect(sent.status).toBe(kind === "write" ? 403 : 200);
  });

  test("an invalid bearer token → 401", async () => {
    expect((await send(w.t, "GET", paths.collection!, undefined, { authorization: "Bearer nope" })).status).toBe(401);
  });
});

describe("organization scoping (D2)", () => {
  test("org B's admin: 403 on org A's entry (read, patch, delete) and on creating one for org A's project", async () => {
    const h = w.cast.adminB.headers;
    expect((await send(w.t, "GET", paths.entry!, undefined, h)).status).toBe(403);
    expect((await send(w.t, "PATCH", paths.entry!, [{ op: "replace", path: "/notes", value: "x" }], h)).status).toBe(403);
    expect((await send(w.t, "DELETE", paths.entry!, undefined, h)).status).toBe(403);
    const created = await w.post(w.body(), h);
    expect(created.status).toBe(403);
    expect(created.body.detail).toBe("Permission denied: operations_log:create required");
    expect((await send(w.t, "GET", paths.entry!, undefined, w.cast.adminA.headers)).body).toEqual(entryA);
  });

  test("org B's admin: 403 on org A's project-scoped list (permission in the path's org)", async () => {
    expect((await send(w.t, "GET", paths.project!, undefined, w.cast.adminB.headers)).status).toBe(403);
  });

  test("lists show only the caller's organizations; the system admin sees all", async () => {
    const ids = async (headers: Record<string, string>) =>
      (await send(w.t, "GET", "/operations-log/?limit=500", undefined, headers)).body.data.map((e: { id: string }) => e.id);
    const a = await ids(w.cast.readonlyA.headers);
    expect(a).toContain(entryA.id);
    expect(a).not.toContain(entryB.id);
    const b = await ids(w.cast.adminB.headers);
    expect(b).toEqual([entryB.id]);
    const all = await ids(w.cast.system.headers);
    expect(all).toEqual(expect.arrayContaining([entryA.id, entryB.id]));
    // A project filter naming another organization's project finds nothing.
    const foreign = await send(w.t, "GET", `/operations-log/?project_id=${w.projectB.id}`, undefined, w.cast.readonlyA.headers);
    expect(foreign.body).toMatchObject({ data: [], metrics: { event_count: 0 } });
  });

  test("a denial in the entry's organization is emitted as permission.denied; writes emit operations_log.*", async () => {
    const seen: { type: string; detail?: Record<string, unknown> }[] = [];
    w.t.ctx.events.subscribe((event) => seen.push(event));
    await send(w.t, "GET", paths.entry!, undefined, w.cast.adminB.headers);
    expect(seen).toContainEqual(expect.objectContaining({
      type: "permission.denied", detail: { permission: "operations_log:read", organization: w.cast.orgA.slug, path: paths.entry },
    }));
    const created = await w.record({ description: "audited" });
    await send(w.t, "PATCH", `/operations-log/${created.id}`, [{ op: "replace", path: "/notes", value: "n" }], w.cast.adminA.headers);
    await send(w.t, "DELETE", `/operations-log/${created.id}`, undefined, w.cast.adminA.headers);
    const mine = seen.filter((e) => e.type.startsWith("operations_log.") && e.detail?.entry_id === created.id);
    expect(mine.map((e) => e.type)).toEqual(["operations_log.created", "operations_log.updated", "operations_log.deleted"]);
    expect(mine[1]!.detail).toMatchObject({ organization: w.cast.orgA.slug, project_id: w.projectA.id, fields: ["notes"] });
  });

  test("a service account with the admin role in org A may record and read; the system admin may too", async () => {
    const sa = await serviceAccount(w.t, w.cast.orgA, "admin");
    const created = await w.post(w.body({ description: "by SA" }), sa.headers);
    expect(created.status).toBe(201);
    expect(created.body.recorded_by).toBe(sa.slug);
    const read = await send(w.t, "GET", `/operations-log/${created.body.id}`, undefined, w.cast.system.headers);
    expect(read.status).toBe(200);
    expect((await send(w.t, "GET", `/operations-log/${entryB.id}`, undefined, sa.headers)).status).toBe(403);
  });
});
