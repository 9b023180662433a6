/** /organizations: 401, 403 (per organization, D2), the seeded role matrix, and no 5xx for any input. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SYSTEM_ROLES } from "../../../src/features/roles/seed-data.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { actor, createCast, randomSlug, send, serviceAccount, type Cast, type Method } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  // orgA keeps a team, so a DELETE any role were allowed would be refused (409) and not lose the fixture.
  await send(t, "POST", `/organizations/${cast.orgA.slug}/teams/`, { name: "Keep", slug: "keep" }, cast.adminA.headers);
});
afterAll(() => t.close());

type Route = [label: string, method: Method, path: string, body: unknown, permission: string];
const ORG_ROUTES = (org: string): Route[] => [
  ["GET item", "GET", `/organizations/${org}`, undefined, "organization:read"],
  ["PATCH item", "PATCH", `/organizations/${org}`, [{ op: "replace", path: "/description", value: "patched" }], "organization:update"],
  ["DELETE item", "DELETE", `/organizations/${org}`, undefined, "organization:delete"],
  ["GET members", "GET", `/organizations/${org}/members`, undefined, "organization:read"],
];
const COLLECTION_ROUTES: Route[] = [
  ["GET collection", "GET", "/organizations/", undefined, "organization:read"],
  ["POST collection", "POST", "/organizations/", { name: "N", slug: "never-created" }, "organization:create"],
];
const LABELS = [...COLLECTION_ROUTES.map((r) => r[0]), ...ORG_ROUTES("x").map((r) => r[0])];
const routeByLabel = (label: string) => [...COLLECTION_ROUTES, ...ORG_ROUTES(cast.orgA.slug)].find((r) => r[0] === label)!;
const granted = (role: string, permission: string) => SYSTEM_ROLES.find((r) => r.slug === role)!.permissions.includes(permission);

async function orgAUnchanged() {
  const [row] = await t.infra.sql`select description from organizations where id = ${cast.orgA.id}`;
  expect(row).toEqual({ description: null });
  expect(await t.infra.sql`select 1 from organizations where slug = 'never-created'`).toHaveLength(0);
}

describe("/organizations: authentication", () => {
  test.each(LABELS)("%s: 401 without credentials or with a bad token", async (label) => {
    const [, method, path, body] = routeByLabel(label);
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer nope" }, { authorization: `Bearer ik_${"a".repeat(32)}_${"b".repeat(30)}` }]) {
      const response = await send(t, method, path, body, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
    }
    await orgAUnchanged();
  });
});

describe("/organizations: authorization in the organization of the path (D2)", () => {
  test.each(ORG_ROUTES("x").map((r) => r[0]))("%s: 403 for admin/developer members and service accounts of another organization", async (label) => {
    const [, method, path, body, permission] = routeByLabel(label);
    const sa = await serviceAccount(t, cast.orgB, "admin");
    for (const headers of [cast.adminB.headers, cast.developerB.headers, sa.headers]) {
      const response = await send(t, method, path, body, headers);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ detail: `Permission denied: ${permission} required` });
    }
    await orgAUnchanged();
  });

  test.each(["developer", "readonly", "default"])("the %s role gets exactly what it grants, in its organization", async (role) => {
    const user = await actor(t, { org: cast.orgA, role });
    const sa = await serviceAccount(t, cast.orgA, role);
    for (const headers of [user.headers, sa.headers]) {
      for (const [label, method, path, body, permission] of [...COLLECTION_ROUTES, ...ORG_ROUTES(cast.orgA.slug)]) {
        // Allowed writes must not change the fixture: an empty patch; DELETE is refused by the team.
        const payload = method === "PATCH" ? [] : body;
        const response = await send(t, method, path, payload, headers);
        const expected = granted(role, permission) ? ({ GET: 200, POST: 201, PATCH: 200, DELETE: 409 } as const)[method] : 403;
        expect({ label, status: response.status }).toEqual({ label, status: expected });
      }
    }
    await orgAUnchanged();
  });

  test("a user with no membership at all may not list organizations; a system administrator may do everything", async () => {
    const loner = await actor(t);
    expect((await send(t, "GET", "/organizations/", undefined, loner.headers)).status).toBe(403);
    expect((await send(t, "POST", "/organizations/", { name: "L", slug: randomSlug() }, loner.headers)).status).toBe(403);
    const slug = randomSlug("sys");
    expect((await send(t, "POST", "/organizations/", { name: "S", slug }, cast.system.headers)).status).toBe(201);
    expect((await send(t, "GET", `/organizations/${cast.orgB.slug}`, undefined, cast.system.headers)).status).toBe(200);
    expect((await send(t, "GET", `/organizations/${cast.orgB.slug}/members`, undefined, cast.system.headers)).status).toBe(200);
    expect((await send(t, "PATCH", `/organizations/${slug}`, [{ op: "replace", path: "/name", value: "S2" }], cast.system.headers)).status).toBe(200);
    expect((await send(t, "DELETE", `/organizations/${slug}`, undefined, cast.system.headers)).status).toBe(204);
  });
});

describe("/organizations: no input gives a 5xx", () => {
  const hostileBodies: unknown[] = [
    null, 1, "s", [], {}, { name: {}, slug: [] }, { name: "x\u0000", slug: randomSlug() }, { name: "\ud800", slug: randomSlug() },
    { name: "x", slug: randomSlug(), tag_formats: [{ label: "\ud800", pattern: "\udfff" }] },
    { name: "x", slug: randomSlug(), tag_formats: [{ label: "x", pattern: "\u0000" }] },
    { name: "x", slug: randomSlug(), tag_formats: [null] }, { name: "x", slug: randomSlug(), tag_formats: Array(1000).fill({ label: "a", pattern: "b" }) },
    { name: "x", slug: randomSlug(), icon: "i".repeat(10_000) }, { name: "x", slug: randomSlug(), description: "\u0000" },
  ];
  test.each(hostileBodies.map((b, i) => [i, b] as const))("POST /organizations/ hostile body #%d", async (_i, body) => {
    expect((await send(t, "POST", "/organizations/", body, cast.adminA.headers)).status).toBeLessThan(500);
  });

  const hostilePatches: unknown[] = [
    null, {}, [null], [{ op: 1, path: 2 }], [{ op: "add", path: "/tag_formats/-", value: { label: "\ud800", pattern: "x" } }],
    [{ op: "add", path: "/tag_formats/-", value: { label: "x", pattern: "(?<a>x)(?<a>y)" } }], [{ op: "replace", path: "/tag_formats", value: null }],
    [{ op: "add", path: "/tag_formats/99", value: {} }], [{ op: "replace", path: "/name", value: "\u0000" }],
    [{ op: "add", path: "/__proto__/x", value: 1 }], [{ op: "replace", path: "/slug", value: "x".repeat(10_000) }],
  ];
  test.each(hostilePatches.map((p, i) => [i, p] as const))("PATCH /organizations/{org_slug} hostile operations #%d", async (_i, operations) => {
    const org = (await send(t, "POST", "/organizations/", { name: "H", slug: randomSlug("h") }, cast.adminA.headers)).body;
    const response = await send(t, "PATCH", `/organizations/${org.slug}`, operations, cast.adminA.headers);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  test.each(["%00", "a%00b", "%ZZ", "x".repeat(5000), "%F0%9F%92%A9", "..%2F"])("paths with slug %s", async (slug) => {
    for (const [method, path, body] of [
      ["GET", `/organizations/${slug}`], ["PATCH", `/organizations/${slug}`, []], ["DELETE", `/organizations/${slug}`], ["GET", `/organizations/${slug}/members`],
    ] as [Method, string, unknown][]) {
      const response = await send(t, method, path, body, cast.system.headers);
      expect({ path, ok: response.status >= 400 && response.status < 500 }).toEqual({ path, ok: true });
    }
  });

  test("nothing was logged as an unhandled error", () => {
    expect(t.logs.filter((line) => line.msg === "unhandled error")).toEqual([]);
  });
});
