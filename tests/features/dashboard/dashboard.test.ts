/**
 * GET /admin/dashboard/status and /admin/dashboard/metrics (reference-domain §16.4):
 * admin:dashboard:read; datastore health with sizes; seven UTC days of activity from
 * ClickHouse, limited to the organizations where the caller holds the permission (D2).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { newId } from "../../../src/lib/ids.ts";
import { toClickHouseTime } from "../../../src/infra/clickhouse-writer.ts";
import { windowOf } from "../../../src/features/dashboard/service.ts";
import { VERSION } from "../../../src/version.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, createCast, insertProject, insertTeam, send, type Cast } from "../../helpers/catalog.ts";
import { createOrg } from "../../helpers/identity.ts";

let t: TestApp;
let cast: Cast;
let projectA: string;
let projectB: string;
const DAY = 86_400_000;
// Fixed for the file: a test run across midnight UTC still compares against the same window.
const { since, days } = windowOf(new Date());
/** A moment inside window day `index` (0 = six days ago, 6 = today). */
const dayAt = (index: number) => new Date(since.getTime() + index * DAY + 60_000);

async function opsLog(projectId: string, index: number | Date, entry_type: string, environment_slug = "production", is_deleted = 0) {
  const at = index instanceof Date ? index : dayAt(index);
  await t.infra.clickhouse.insert({ table: "operations_log", format: "JSONEachRow", values: [{
    id: newId(), occurred_at: toClickHouseTime(at), recorded_at: toClickHouseTime(at), recorded_by: "ann@example.com",
    project_id: projectId, project_slug: "p", environment_slug, entry_type, description: "x", is_deleted,
  }] });
}

async function event(projectId: string, index: number | Date) {
  const at = index instanceof Date ? index : dayAt(index);
  await t.infra.clickhouse.insert({ table: "events", format: "JSONEachRow", values: [{
    id: newId(), project_id: projectId, recorded_at: toClickHouseTime(at), type: "webhook", integration: "github",
    attributed_to: "ann@example.com", metadata: {}, payload: {}, version: 0,
  }] });
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  projectA = await insertProject(t, { orgId: cast.orgA.id, teamId: (await insertTeam(t, cast.orgA.id)).id });
  projectB = await insertProject(t, { orgId: cast.orgB.id, teamId: (await insertTeam(t, cast.orgB.id)).id });
  await opsLog(projectA, 0, "Deployed", "staging");
  await opsLog(projectA, 6, "Deployed", "production");
  await opsLog(projectA, 6, "Deployed", "production");
  await opsLog(projectA, 6, "Restarted");
  await opsLog(projectA, 5, "Deployed", "production", 1);
  await opsLog(projectA, new Date(since.getTime() - DAY), "Deployed");
  await event(projectA, 2);
  await event(projectA, 2);
  await event(projectA, new Date(since.getTime() - 1));
  await opsLog(projectB, 3, "Deployed", "qa");
  await event(projectB, 4);
});
afterAll(() => t.close());

const get = (path: string, headers: Record<string, string>) => send(t, "GET", path, undefined, headers);

describe("access", () => {
  test.each([["/admin/dashboard/status"], ["/admin/dashboard/metrics"]])("GET %s: 401 without credentials, 403 without admin:dashboard:read", async (path) => {
    expect((await send(t, "GET", path)).status).toBe(401);
    for (const member of [cast.developerA, cast.readonlyA, cast.developerB]) {
      expect(await get(path, member.headers)).toMatchObject({ status: 403, body: { detail: "Permission denied: admin:dashboard:read required" } });
    }
    expect((await get(path, cast.adminA.headers)).status).toBe(200);
  });
});

describe("GET /admin/dashboard/status", () => {
  test("each datastore ok with a latency and a size; the API itself up with its version", async () => {
    const sent = await get("/admin/dashboard/status", cast.adminA.headers);
    expect(sent.status).toBe(200);
    expect(Math.abs(Date.parse(sent.body.checked_at) - Date.now())).toBeLessThan(60_000);
    expect(sent.body.datastores.map((d: { name: string; role: string; status: string }) => [d.name, d.role, d.status])).toEqual([
      ["PostgreSQL", "Primary data", "ok"], ["ClickHouse", "Timeseries data", "ok"], ["Valkey", "Cache, Session, & Queues", "ok"],
    ]);
    for (const store of sent.body.datastores) {
      expect(store.latency_ms).toBeGreaterThanOrEqual(0);
      expect(store.size_bytes).toBeGreaterThan(0);
      expect(store.detail).toBeNull();
    }
    expect(sent.body.datastores[1].total_bytes).toBeGreaterThanOrEqual(sent.body.datastores[1].size_bytes);
    expect(sent.body.services).toEqual([{ name: "API", status: "up", version: VERSION, latency_ms: 0, detail: null }]);
  });
});

describe("GET /admin/dashboard/metrics", () => {
  test("org A's admin: org A's rows of the last seven UTC days, per day oldest first; deleted and older rows left out", async () => {
    const sent = await get("/admin/dashboard/metrics", cast.adminA.headers);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      since: since.toISOString(),
      releases: { total: 3, daily: [1, 0, 0, 0, 0, 0, 2] },
      events: { total: 2, daily: [0, 0, 2, 0, 0, 0, 0] },
      ops_log: { total: 4, daily: [1, 0, 0, 0, 0, 0, 3] },
      pull_requests: { total: 0, daily: [0, 0, 0, 0, 0, 0, 0] },
      releases_by_environment: [{ slug: "production", count: 2 }, { slug: "staging", count: 1 }],
    });
    expect(days).toHaveLength(7);
    expect(days[0]).toBe(since.toISOString().slice(0, 10));
  });

  test("org B's admin sees only org B; the system admin sees both", async () => {
    const b = await get("/admin/dashboard/metrics", cast.adminB.headers);
    expect(b.body).toMatchObject({
      releases: { total: 1, daily: [0, 0, 0, 1, 0, 0, 0] }, events: { total: 1 }, ops_log: { total: 1 },
      releases_by_environment: [{ slug: "qa", count: 1 }],
    });
    const all = await get("/admin/dashboard/metrics", cast.system.headers);
    expect(all.body).toMatchObject({ releases: { total: 4 }, events: { total: 3 }, ops_log: { total: 5 } });
    expect(all.body.releases_by_environment).toEqual([{ slug: "production", count: 2 }, { slug: "qa", count: 1 }, { slug: "staging", count: 1 }]);
  });

  test("a caller holding the permission in an organization without projects gets zeros", async () => {
    const lonely = await actor(t, { org: await createOrg(t), role: "admin" });
    const sent = await get("/admin/dashboard/metrics", lonely.headers);
    expect(sent.body).toMatchObject({ releases: { total: 0 }, events: { total: 0, daily: [0, 0, 0, 0, 0, 0, 0] }, ops_log: { total: 0 }, releases_by_environment: [] });
  });
});
