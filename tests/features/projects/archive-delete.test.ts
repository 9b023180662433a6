/** POST …/archive, POST …/unarchive and DELETE /organizations/{org}/projects/{project_id}. */
import { describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import type { DomainEvent } from "../../../src/infra/events.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const post = (id: string, action: string, headers = w.cast.developerA.headers) => send(w.t, "POST", `${w.base}/${id}/${action}`, undefined, headers);
const remove = (id: string, headers = w.cast.adminA.headers, query = "") => send(w.t, "DELETE", `${w.base}/${id}${query}`, undefined, headers);
const relate = (from: string, to: string) => send(w.t, "POST", `${w.base}/${from}/relationships/${to}`, undefined, w.cast.developerA.headers);

describe("POST /organizations/{org}/projects/{project_id}/archive and /unarchive", () => {
  test("archive sets archived and archived_at; archiving again keeps the first archived_at; unarchive clears both", async () => {
    const p = await w.create();
    const archived = await post(p.id, "archive");
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ id: p.id, archived: true, lifecycle_results: [] });
    const at = archived.body.archived_at;
    expect(Date.parse(at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await post(p.id, "archive")).body.archived_at).toBe(at);
    const unarchived = await post(p.id, "unarchive");
    expect(unarchived.body).toMatchObject({ archived: false, archived_at: null, lifecycle_results: [] });
    expect((await post(p.id, "unarchive")).status).toBe(200);
  });

  test("an archived project can still be patched and related", async () => {
    const [a, b] = [await w.create(), await w.create()];
    await post(a.id, "archive");
    const patched = await send(w.t, "PATCH", `${w.base}/${a.id}`, [{ op: "replace", path: "/name", value: "Old one" }], w.cast.developerA.headers);
    expect(patched.body).toMatchObject({ name: "Old one", archived: true });
    expect((await relate(b.id, a.id)).status).toBe(204);
  });

  test("401, 403 (another organization, readonly), 404", async () => {
    const p = await w.create();
    for (const action of ["archive", "unarchive"]) {
      expect((await post(p.id, action, {})).status).toBe(401);
      expect((await post(p.id, action, w.cast.adminB.headers)).status).toBe(403);
      expect((await post(p.id, action, w.cast.readonlyA.headers)).status).toBe(403);
      expect((await post("nope", action)).status).toBe(404);
    }
  });
});

describe("DELETE /organizations/{org}/projects/{project_id}", () => {
  test("200 with {lifecycle_results: []}; the project, its edges and its outbound relationships are gone", async () => {
    const [p, dep] = [await w.create(), await w.create()];
    expect((await relate(p.id, dep.id)).status).toBe(204);
    const seen: DomainEvent[] = [];
    w.t.ctx.events.subscribe((event) => void seen.push(event));
    const sent = await remove(p.id, w.cast.adminA.headers, "?delete_repository=false");
    expect(sent).toMatchObject({ status: 200, body: { lifecycle_results: [] } });
    expect((await send(w.t, "GET", `${w.base}/${p.id}`, undefined, w.cast.adminA.headers)).status).toBe(404);
    for (const table of ["project_project_types", "project_environments", "project_dependencies"]) {
      expect(await w.t.infra.sql`select 1 from ${w.t.infra.sql(table)} where project_id = ${p.id}`).toHaveLength(0);
    }
    expect(seen.find((e) => e.type === "project.deleted")).toMatchObject({ detail: { project_id: p.id, slug: p.slug } });
    expect((await send(w.t, "GET", `${w.base}/${dep.id}`, undefined, w.cast.adminA.headers)).body.relationships.inbound_count).toBe(0);
  });

  test("a project others depend on → 409 naming them; deletable once the relationships are removed", async () => {
    const [target, a, b] = [await w.create(), await w.create(), await w.create()];
    await relate(a.id, target.id);
    await relate(b.id, target.id);
    const blocked = await remove(target.id);
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain(target.slug);
    expect(blocked.body.detail).toContain(a.slug);
    expect(blocked.body.detail).toContain(b.slug);
    expect((await send(w.t, "GET", `${w.base}/${target.id}`, undefined, w.cast.adminA.headers)).status).toBe(200);
    await send(w.t, "DELETE", `${w.base}/${a.id}/relationships/${target.id}`, undefined, w.cast.developerA.headers);
    expect((await remove(b.id)).status).toBe(200);
    expect((await remove(target.id)).status).toBe(200);
  });

  test("a bad delete_repository value → 422", async () => {
    const p = await w.create();
    expect((await remove(p.id, w.cast.adminA.headers, "?delete_repository=perhaps")).status).toBe(422);
  });

  test("401; 403 for another organization's admin, for readonly, and for a developer (no project:delete); 404", async () => {
    const p = await w.create();
    expect((await remove(p.id, {})).status).toBe(401);
    expect((await remove(p.id, w.cast.adminB.headers)).status).toBe(403);
    expect((await remove(p.id, w.cast.readonlyA.headers)).status).toBe(403);
    expect((await remove(p.id, w.cast.developerA.headers)).body).toEqual({ detail: "Permission denied: project:delete required" });
    expect(await remove("nope")).toMatchObject({ status: 404, body: { detail: "Project 'nope' not found" } });
    expect((await remove(p.id, w.cast.system.headers)).status).toBe(200);
    expect((await remove(p.id)).status).toBe(404);
  });
});
