/**
 * GET /events/, GET /events/{event_id} and GET /organizations/{org}/projects/{id}/events/
 * (reference-domain §16.3): read-only, organization-scoped (D2), keyset-paginated with Link.
 * Rows are written straight to ClickHouse, as the gateway and plugins do.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { newId } from "../../../src/lib/ids.ts";
import { toClickHouseTime } from "../../../src/infra/clickhouse-writer.ts";
import { send, type Method } from "../../helpers/catalog.ts";
import { links, pathOf, useWorld } from "../operations-log/fixtures.ts";

const w = useWorld();
const at = (day: number, ms = 0) => new Date(Date.UTC(2025, 2, day, 8, 0, 0, ms));

async function insertEvent(fields: Partial<{ id: string; project_id: string; recorded_at: Date; type: string; integration: string; attributed_to: string; metadata: object; payload: object; version: number }>) {
  const row = {
    id: newId(), project_id: w.projectA.id, recorded_at: at(1), type: "webhook", integration: "github", attributed_to: "ann@example.com",
    metadata: {}, payload: {}, version: 0, ...fields,
  };
  await w.t.infra.clickhouse.insert({ table: "events", format: "JSONEachRow", values: [{ ...row, recorded_at: toClickHouseTime(row.recorded_at) }] });
  return row;
}

let eA: Awaited<ReturnType<typeof insertEvent>>;
let eB: Awaited<ReturnType<typeof insertEvent>>;
beforeAll(async () => {
  eA = await insertEvent({ recorded_at: at(2, 123), metadata: { event_type: "pull_request", action: "opened" }, payload: { number: 7, title: "Fix" } });
  eB = await insertEvent({ project_id: w.projectB.id, type: "project-change", integration: "", attributed_to: "bob@example.com" });
});

const admin = () => w.cast.adminA.headers;
const get = (path: string, headers = admin()) => send(w.t, "GET", path, undefined, headers);

describe("access", () => {
  const routes = (): [Method, string][] => [
    ["GET", "/events/"], ["GET", `/events/${eA.id}`], ["GET", `/organizations/${w.cast.orgA.slug}/projects/${w.projectA.id}/events/`],
  ];

  test("401 without credentials on every route", async () => {
    for (const [method, path] of routes()) expect((await send(w.t, method, path)).status).toBe(401);
  });

  test("403 without admin:events:read (readonly, developer) on /events; project:read suffices for the project list", async () => {
    for (const member of [w.cast.readonlyA, w.cast.developerA]) {
      expect((await get("/events/", member.headers)).body).toEqual({ detail: "Permission denied: admin:events:read required" });
      expect((await get(`/events/${eA.id}`, member.headers)).status).toBe(403);
      expect((await get(routes()[2]![1], member.headers)).status).toBe(200);
    }
  });

  test("org B's admin: 403 on org A's event and project list; /events/ shows only org B's", async () => {
    expect((await get(`/events/${eA.id}`, w.cast.adminB.headers)).status).toBe(403);
    expect((await get(routes()[2]![1], w.cast.adminB.headers)).status).toBe(403);
    expect((await get("/events/", w.cast.adminB.headers)).body.data.map((e: { id: string }) => e.id)).toEqual([eB.id]);
    expect((await get(`/events/${eB.id}`, w.cast.adminB.headers)).status).toBe(200);
  });

  test("the system admin sees every organization's events", async () => {
    const ids = (await get("/events/?limit=500", w.cast.system.headers)).body.data.map((e: { id: string }) => e.id);
    expect(ids).toEqual(expect.arrayContaining([eA.id, eB.id]));
  });
});

describe("GET /events/{event_id}", () => {
  test("the EventRecord with metadata and payload as objects, recorded_at in ISO UTC", async () => {
    const sent = await get(`/events/${eA.id}`);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      id: eA.id, project_id: w.projectA.id, recorded_at: "2025-03-02T08:00:00.123Z", type: "webhook", integration: "github",
      attributed_to: "ann@example.com", metadata: { event_type: "pull_request", action: "opened" }, payload: { number: 7, title: "Fix" },
    });
  });

  test("404 Event not found", async () => {
    const sent = await get("/events/nosuchevent");
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({ detail: "Event not found" });
  });

  test("a newer version of a row replaces it (FINAL)", async () => {
    const first = await insertEvent({ type: "draft", version: 1 });
    await insertEvent({ id: first.id, type: "final", version: 2 });
    expect((await get(`/events/${first.id}`)).body.type).toBe("final");
    const listed = (await get("/events/?limit=500")).body.data.filter((e: { id: string }) => e.id === first.id);
    expect(listed.map((e: { type: string }) => e.type)).toEqual(["final"]);
  });
});

describe("lists", () => {
  test("filters: project_id, type, event_type (metadata), attributed_to, integration, since/until", async () => {
    const tag = newId();
    const made = {
      push: await insertEvent({ attributed_to: tag, recorded_at: at(10), metadata: { event_type: "push" } }),
      pr: await insertEvent({ attributed_to: tag, recorded_at: at(11), metadata: { event_type: "pull_request" } }),
      change: await insertEvent({ attributed_to: tag, recorded_at: at(12), type: "project-change", integration: "" }),
    };
    const ids = async (query: string, base = "/events/") =>
      (await get(`${base}?attributed_to=${tag}&${query}`)).body.data.map((e: { id: string }) => e.id);
    expect(await ids("")).toEqual([made.change.id, made.pr.id, made.push.id]);
    expect(await ids("event_type=push")).toEqual([made.push.id]);
    expect(await ids("type=project-change")).toEqual([made.change.id]);
    expect(await ids("integration=github")).toEqual([made.pr.id, made.push.id]);
    expect(await ids(`project_id=${w.projectA.id}&since=2025-03-11T08:00:00Z`)).toEqual([made.change.id, made.pr.id]);
    expect(await ids("until=2025-03-11T08:00:00Z")).toEqual([made.push.id]);
    expect(await ids("", `/organizations/${w.cast.orgA.slug}/projects/${w.projectA.id}/events/`)).toEqual([made.change.id, made.pr.id, made.push.id]);
    expect((await get("/events/?since=soon")).body).toEqual({ detail: "Invalid ISO timestamp for 'since'" });
  });

  test("pagination: Link first/next, no duplicates or gaps while events arrive, ties broken by id", async () => {
    const tag = newId();
    const seeded = [];
    for (const day of [20, 20, 20, 21, 22, 22, 23]) seeded.push(await insertEvent({ attributed_to: tag, recorded_at: at(day) }));
    const expected = [...seeded].sort((a, b) => b.recorded_at.getTime() - a.recorded_at.getTime() || (a.id < b.id ? 1 : -1)).map((e) => e.id);
    const seen: string[] = [];
    let path: string | undefined = `/events/?attributed_to=${tag}&limit=2`;
    let pages = 0;
    while (path) {
      const sent = await get(path);
      expect(sent.status).toBe(200);
      expect(Object.keys(sent.body)).toEqual(["data"]);
      seen.push(...sent.body.data.map((e: { id: string }) => e.id));
      const rel = links(sent);
      expect(rel.first).toBe(`http://localhost/events/?attributed_to=${tag}&limit=2`);
      await insertEvent({ attributed_to: tag, recorded_at: new Date() });
      path = rel.next ? pathOf(rel.next) : undefined;
      pages += 1;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(4);
  });

  test("limit and cursor errors", async () => {
    expect((await get("/events/?limit=0")).body).toEqual({ detail: "limit must be 1..500" });
    expect((await get("/events/?limit=501")).status).toBe(400);
    expect((await get("/events/?limit=x")).status).toBe(422);
    const bad = await get("/events/?cursor=%%%");
    expect(bad.status).toBe(400);
    expect((await get(`/events/?cursor=${Buffer.from("nope").toString("base64url")}`)).body).toEqual({ detail: "Invalid cursor" });
  });

  test("project list: 404 for a project outside the path's organization", async () => {
    const sent = await get(`/organizations/${w.cast.orgA.slug}/projects/${w.projectB.id}/events/`);
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({ detail: `Project '${w.projectB.id}' not found` });
  });
});
