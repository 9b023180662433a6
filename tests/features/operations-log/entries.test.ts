/** POST, GET, PATCH and DELETE /operations-log/… (reference-domain §16.2). */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const entry = (id: string) => `/operations-log/${id}`;

describe("POST /operations-log/", () => {
  test("201: the entry with server-set id, recorded_at, recorded_by; performed_by defaults to the caller", async () => {
    const before = Date.now();
    const sent = await w.post(w.body({ notes: "smooth", ticket_slug: "OPS-1", link: "https://ci.example.com/1", external_run_id: "run-1" }));
    expect(sent.status).toBe(201);
    const body = sent.body;
    expect(body).toMatchObject({
      project_id: w.projectA.id, project_slug: w.projectA.slug, environment_slug: w.catalog.production.slug,
      entry_type: "Deployed", description: "Deployed v1.2.3", version: "1.2.3", notes: "smooth", ticket_slug: "OPS-1",
      link: "https://ci.example.com/1", external_run_id: "run-1", plugin_slug: "", completed_at: null,
      recorded_by: w.cast.adminA.user.email, performed_by: w.cast.adminA.user.email,
    });
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(Date.parse(body.recorded_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.occurred_at).toMatch(/Z$/);
    expect(body).not.toHaveProperty("_row_version");
    expect(body).not.toHaveProperty("is_deleted");
    const read = await send(w.t, "GET", entry(body.id), undefined, w.cast.readonlyA.headers);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);
  });

  test("client values for server-owned fields are discarded; unknown keys are ignored", async () => {
    const body = await w.record({
      id: "mine", recorded_at: "2000-01-01T00:00:00Z", recorded_by: "someone@else", _row_version: 99, row_version: 5, is_deleted: 1, color: "red",
    });
    expect(body.id).not.toBe("mine");
    expect(body.recorded_by).toBe(w.cast.adminA.user.email);
    expect(body.recorded_at.startsWith("2000")).toBe(false);
    expect(body).not.toHaveProperty("color");
    expect((await send(w.t, "GET", entry(body.id), undefined, w.cast.adminA.headers)).status).toBe(200);
  });

  test("explicit occurred_at / completed_at / performed_by are kept; naive times are UTC", async () => {
    const body = await w.record({ occurred_at: "2026-03-04T05:06:07.890", completed_at: "2026-03-04T06:00:00+01:00", performed_by: "bob@example.com" });
    expect(body.occurred_at).toBe("2026-03-04T05:06:07.890Z");
    expect(body.completed_at).toBe("2026-03-04T05:00:00.000Z");
    expect(body.performed_by).toBe("bob@example.com");
  });

  test.each([
    ["project_id", { project_id: undefined }],
    ["project_slug", { project_slug: undefined }],
    ["environment_slug", { environment_slug: undefined }],
    ["entry_type", { entry_type: undefined }],
    ["description", { description: undefined }],
    ["entry_type", { entry_type: "Exploded" }],
    ["description", { description: 42 }],
    ["description", { description: "" }],
    ["occurred_at", { occurred_at: "yesterday" }],
    ["occurred_at", { occurred_at: 1700000000 }],
    ["completed_at", { completed_at: "2026-02-30T00:00:00Z" }],
    ["performed_by", { performed_by: 7 }],
    ["link", { link: ["x"] }],
    ["plugin_slug", { plugin_slug: null }],
    ["project_id", { project_id: "nope-not-a-project" }],
    ["project_slug", { project_slug: "not-the-slug" }],
    ["environment_slug", { environment_slug: "nowhere" }],
    ["description", { description: "bad \ud800 surrogate" }],
  ])("422 on %s (%p)", async (field, overrides) => {
    const body = w.body(overrides);
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];
    expect422(await w.post(body), field);
  });

  test("an environment of another organization is refused", async () => {
    expect422(await w.post(w.body({ environment_slug: w.catalogB.production.slug })), "environment_slug");
  });

  test("a body that is not an object → 422; malformed JSON → 400", async () => {
    expect422(await w.post([w.body()]));
    const malformed = await w.post("{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: "Invalid JSON body" });
  });
});

describe("GET /operations-log/{entry_id}", () => {
  test("404 for an unknown id", async () => {
    const sent = await send(w.t, "GET", entry("nosuchentry"), undefined, w.cast.adminA.headers);
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({ detail: "Operations log entry 'nosuchentry' not found" });
  });
});

describe("PATCH /operations-log/{entry_id}", () => {
  test("replace/add/remove: the new version is returned and read back; read-only fields keep their values", async () => {
    const created = await w.record({ notes: "first" });
    const sent = await send(w.t, "PATCH", entry(created.id), [
      { op: "replace", path: "/description", value: "Rolled back to v1.2.2" },
      { op: "replace", path: "/entry_type", value: "Rolled Back" },
      { op: "remove", path: "/notes" },
      { op: "add", path: "/ticket_slug", value: "INC-9" },
      { op: "replace", path: "/completed_at", value: "2030-01-01T00:00:00Z" },
      { op: "replace", path: "/environment_slug", value: w.catalog.staging.slug },
    ], w.cast.adminA.headers);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      ...created, description: "Rolled back to v1.2.2", entry_type: "Rolled Back", notes: null, ticket_slug: "INC-9",
      completed_at: "2030-01-01T00:00:00.000Z", environment_slug: w.catalog.staging.slug,
    });
    const read = await send(w.t, "GET", entry(created.id), undefined, w.cast.adminA.headers);
    expect(read.body).toEqual(sent.body);
  });

  test("successive patches each win (row versions increase)", async () => {
    const created = await w.record();
    for (const n of [1, 2, 3]) {
      const sent = await send(w.t, "PATCH", entry(created.id), [{ op: "replace", path: "/description", value: `v${n}` }], w.cast.adminA.headers);
      expect(sent.body.description).toBe(`v${n}`);
    }
    expect((await send(w.t, "GET", entry(created.id), undefined, w.cast.adminA.headers)).body.description).toBe("v3");
    const list = await send(w.t, "GET", `/operations-log/?project_id=${w.projectA.id}&limit=500`, undefined, w.cast.adminA.headers);
    expect(list.body.data.filter((e: { id: string }) => e.id === created.id)).toHaveLength(1);
  });

  test.each(["/id", "/project_id", "/occurred_at", "/recorded_at", "/recorded_by", "/row_version", "/is_deleted"])("%s is read-only → 400", async (path) => {
    const created = await w.record();
    const sent = await send(w.t, "PATCH", entry(created.id), [{ op: "replace", path, value: "x" }], w.cast.adminA.headers);
    expect(sent.status).toBe(400);
    expect(sent.body.detail).toBe(`Path '${path}' is read-only and cannot be patched`);
  });

  test("422: invalid values after the patch, a failed test op, a malformed op, an unknown field", async () => {
    const created = await w.record();
    const patch = (ops: unknown) => send(w.t, "PATCH", entry(created.id), ops, w.cast.adminA.headers);
    expect422(await patch([{ op: "replace", path: "/entry_type", value: "Exploded" }]), "entry_type");
    expect422(await patch([{ op: "remove", path: "/description" }]), "description");
    expect422(await patch([{ op: "replace", path: "/completed_at", value: "later" }]), "completed_at");
    expect422(await patch([{ op: "replace", path: "/environment_slug", value: "nowhere" }]), "environment_slug");
    expect422(await patch([{ op: "replace", path: "/project_slug", value: "other" }]), "project_slug");
    expect422(await patch([{ op: "add", path: "/color", value: "red" }]), "color");
    expect422(await patch([{ op: "test", path: "/description", value: "something else" }]));
    expect422(await patch([{ op: "jump", path: "/description" }]));
    expect422(await patch({ op: "replace" }));
    expect((await patch([{ op: "replace", path: "/nope/deeper", value: 1 }])).status).toBe(400);
    expect((await send(w.t, "GET", entry(created.id), undefined, w.cast.adminA.headers)).body).toEqual(created);
  });

  test("404 for an unknown or deleted entry", async () => {
    const created = await w.record();
    expect((await send(w.t, "DELETE", entry(created.id), undefined, w.cast.adminA.headers)).status).toBe(204);
    for (const id of ["nosuchentry", created.id]) {
      const sent = await send(w.t, "PATCH", entry(id), [{ op: "replace", path: "/description", value: "x" }], w.cast.adminA.headers);
      expect(sent.status).toBe(404);
    }
  });
});

describe("DELETE /operations-log/{entry_id}", () => {
  test("204; then gone from GET, lists and a second DELETE (404)", async () => {
    const created = await w.record({ ticket_slug: "DEL-1" });
    const deleted = await send(w.t, "DELETE", entry(created.id), undefined, w.cast.adminA.headers);
    expect(deleted.status).toBe(204);
    expect((await send(w.t, "GET", entry(created.id), undefined, w.cast.adminA.headers)).status).toBe(404);
    const list = await send(w.t, "GET", "/operations-log/?ticket_slug=DEL-1", undefined, w.cast.adminA.headers);
    expect(list.body.data).toEqual([]);
    expect(list.body.metrics.event_count).toBe(0);
    expect((await send(w.t, "DELETE", entry(created.id), undefined, w.cast.adminA.headers)).status).toBe(404);
  });

  test("a patched-then-deleted entry stays deleted", async () => {
    const created = await w.record();
    await send(w.t, "PATCH", entry(created.id), [{ op: "replace", path: "/description", value: "edited" }], w.cast.adminA.headers);
    expect((await send(w.t, "DELETE", entry(created.id), undefined, w.cast.adminA.headers)).status).toBe(204);
    expect((await send(w.t, "GET", entry(created.id), undefined, w.cast.adminA.headers)).status).toBe(404);
  });
});

describe("GET /operations-log/plugin-templates", () => {
  test("no plugins are installed", async () => {
    const sent = await send(w.t, "GET", "/operations-log/plugin-templates", undefined, w.cast.readonlyA.headers);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ plugins: [] });
  });
});
