/**
 * GET /operations-log/ and the project-scoped list: keyset pagination (Link header, no
 * duplicates or gaps while rows are inserted between pages), limit and cursor errors,
 * filters, since/until, and the first page's metrics.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { links, pathOf, useWorld } from "./fixtures.ts";

const w = useWorld();
const get = (path: string, headers = w.cast.readonlyA.headers) => send(w.t, "GET", path, undefined, headers);
const minute = (n: number) => new Date(Date.UTC(2025, 5, 1, 12, n)).toISOString();

describe("pagination", () => {
  test("walking pages by rel=next while rows are inserted: every row once, newest first", async () => {
    const seeded: Record<string, any>[] = [];
    // Pairs share a timestamp: ties are broken by id.
    for (const n of [1, 1, 2, 3, 3, 3, 4, 5, 6, 7]) seeded.push(await w.record({ ticket_slug: "PAGE", occurred_at: minute(n) }));
    const expected = [...seeded].sort((a, b) => (a.occurred_at === b.occurred_at ? (a.id < b.id ? 1 : -1) : a.occurred_at < b.occurred_at ? 1 : -1));
    let older: Record<string, any> | undefined;

    const seen: string[] = [];
    let path: string | undefined = "/operations-log/?ticket_slug=PAGE&limit=3";
    let pages = 0;
    while (path) {
      const sent = await get(path);
      expect(sent.status).toBe(200);
      expect(sent.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...sent.body.data.map((e: { id: string }) => e.id));
      const rel = links(sent);
      expect(pathOf(rel.first!)).toBe("/operations-log/?ticket_slug=PAGE&limit=3");
      if (pages === 0) expect(sent.body.metrics).not.toBeNull();
      else expect(sent.body.metrics).toBeNull();
      // Newer rows land before the cursor and are not seen; an older row is seen at the end.
      await w.record({ ticket_slug: "PAGE" });
      if (pages === 1) older = await w.record({ ticket_slug: "PAGE", occurred_at: minute(0) });
      path = rel.next ? pathOf(rel.next) : undefined;
      pages += 1;
    }
    expect(seen).toEqual([...expected.map((e) => e.id), older!.id]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(4);
  });

  test("Link: absolute URLs of the request; rel=next only while more rows exist; cursor is base64url '<ISO>|<id>'", async () => {
    for (const n of [1, 2, 3]) await w.record({ ticket_slug: "LINK", occurred_at: minute(10 + n) });
    const sent = await get("/operations-log/?limit=2&ticket_slug=LINK");
    const rel = links(sent);
    expect(rel.first).toBe("http://localhost/operations-log/?limit=2&ticket_slug=LINK");
    const cursor = new URL(rel.next!).searchParams.get("cursor")!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const last = sent.body.data[1];
    expect(Buffer.from(cursor, "base64url").toString()).toBe(`${last.occurred_at}|${last.id}`);
    const second = await get(pathOf(rel.next!));
    expect(second.body.data).toHaveLength(1);
    expect(links(second)).toEqual({ first: rel.first! });
    const all = await get("/operations-log/?limit=3&ticket_slug=LINK");
    expect(links(all).next).toBeUndefined();
  });

  test("default limit is 50; limit bounds 1..500", async () => {
    for (const limit of ["1", "500"]) expect((await get(`/operations-log/?limit=${limit}`)).status).toBe(200);
    for (const limit of ["0", "501", "-3"]) {
      const sent = await get(`/operations-log/?limit=${limit}`);
      expect(sent.status).toBe(400);
      expect(sent.body).toEqual({ detail: "limit must be 1..500" });
    }
    expect((await get("/operations-log/?limit=ten")).status).toBe(422);
    expect((await get("/operations-log/?limit=1")).body.data).toHaveLength(1);
  });

  test.each([
    ["garbage", "!!!"],
    ["no separator", Buffer.from("2025-01-01T00:00:00Z").toString("base64url")],
    ["bad time", Buffer.from("tomorrow|abc").toString("base64url")],
    ["padded", `${Buffer.from("2025-01-01T00:00:00Z|ab").toString("base64url")}=`],
  ])("a malformed cursor (%s) → 400 Invalid cursor", async (_, cursor) => {
    const sent = await get(`/operations-log/?cursor=${encodeURIComponent(cursor)}`);
    expect(sent.status).toBe(400);
    expect(sent.body).toEqual({ detail: "Invalid cursor" });
  });
});

describe("filters and metrics", () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    const prod = w.catalog.production.slug;
    const staging = w.catalog.staging.slug;
    const base = { ticket_slug: "FLT" };
    ids = {
      deployProd: (await w.record({ ...base, entry_type: "Deployed", environment_slug: prod, performed_by: "ann@x", occurred_at: "2025-01-10T00:00:00Z" })).id,
      deployStaging: (await w.record({ ...base, entry_type: "Deployed", environment_slug: staging, performed_by: "bob@x", occurred_at: "2025-01-20T00:00:00Z" })).id,
      deployStaging2: (await w.record({ ...base, entry_type: "Deployed", environment_slug: staging, performed_by: "bob@x", occurred_at: "2025-01-25T00:00:00Z" })).id,
      restart: (await w.record({ ...base, entry_type: "Restarted", environment_slug: prod, performed_by: "ann@x", occurred_at: "2025-01-30T00:00:00Z" })).id,
      scaled: (await w.record({ ...base, entry_type: "Scaled", environment_slug: prod, performed_by: null, occurred_at: "2025-02-05T00:00:00Z" })).id,
    };
  });
  const found = async (query: string) => (await get(`/operations-log/?ticket_slug=FLT&${query}`)).body.data.map((e: { id: string }) => e.id);

  test("exact filters", async () => {
    expect(await found("entry_type=Deployed")).toEqual([ids.deployStaging2, ids.deployStaging, ids.deployProd]);
    expect(await found(`environment_slug=${w.catalog.production.slug}`)).toEqual([ids.scaled, ids.restart, ids.deployProd]);
    expect(await found("performed_by=bob%40x")).toEqual([ids.deployStaging2, ids.deployStaging]);
    expect(await found(`project_slug=${w.projectA.slug}&entry_type=Restarted`)).toEqual([ids.restart]);
    expect(await found(`project_id=${w.projectA.id}&entry_type=Scaled`)).toEqual([ids.scaled]);
    expect(await found("entry_type=Nothing")).toEqual([]);
  });

  test("since (inclusive) and until (exclusive) on occurred_at; a bad value → 400", async () => {
    expect(await found("since=2025-01-20T00:00:00Z&until=2025-01-30T00:00:00Z")).toEqual([ids.deployStaging2, ids.deployStaging]);
    expect(await found("since=2025-02-01")).toEqual([ids.scaled]);
    for (const name of ["since", "until"]) {
      const sent = await get(`/operations-log/?${name}=last-week`);
      expect(sent.status).toBe(400);
      expect(sent.body).toEqual({ detail: `Invalid ISO timestamp for '${name}'` });
    }
  });

  test("metrics over the whole filter set on the first page", async () => {
    const sent = await get("/operations-log/?ticket_slug=FLT&limit=1");
    expect(sent.body.data).toHaveLength(1);
    expect(sent.body.metrics).toEqual({
      event_count: 5, deploys: 3, projects: 1, environments: 2, team_members: 3, // ann, bob, and the admin (a null performed_by defaults to the caller)
      deploys_by_environment: { [w.catalog.production.slug]: 1, [w.catalog.staging.slug]: 2 },
    });
  });
});

describe("GET /organizations/{org}/projects/{project_id}/operations-log/", () => {
  test("the project's entries only, paginated with its own Link URLs", async () => {
    const other = await w.create();
    const mine = [await w.record({ project_id: other.id, project_slug: other.slug }), await w.record({ project_id: other.id, project_slug: other.slug })];
    const base = `/organizations/${w.cast.orgA.slug}/projects/${other.id}/operations-log/`;
    const first = await get(`${base}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.metrics.event_count).toBe(2);
    const rel = links(first);
    expect(pathOf(rel.first!)).toBe(`${base}?limit=1`);
    const second = await get(pathOf(rel.next!));
    expect([...first.body.data, ...second.body.data].map((e: { id: string }) => e.id).sort()).toEqual(mine.map((e) => e.id).sort());
    // A project_id query parameter cannot widen it.
    const widened = await get(`${base}?project_id=${w.projectA.id}`);
    expect(widened.body.data.map((e: { project_id: string }) => e.project_id)).toEqual([other.id, other.id]);
  });

  test("404 for a project of another organization or an unknown one", async () => {
    for (const id of [w.projectB.id, "nosuchproject"]) {
      const sent = await get(`/organizations/${w.cast.orgA.slug}/projects/${id}/operations-log/`);
      expect(sent.status).toBe(404);
      expect(sent.body).toEqual({ detail: `Project '${id}' not found` });
    }
  });
});
