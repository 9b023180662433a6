/**
 * Access control and robustness for an organization-scoped catalog entity (part of
 * orgResourceSuite): 401 without or with bad credentials, 403 for members of another
 * organization (users and service accounts; D2), the seeded role matrix evaluated in the
 * organization of the path, and tables of hostile input that must never give a 5xx.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { SYSTEM_ROLES } from "../../src/features/roles/seed-data.ts";
import { randomSlug, send, serviceAccount, type Method } from "./catalog.ts";
import type { EntityCase, SuiteState } from "./org-resource-suite.ts";

type Route = [label: string, method: Method, path: string, body: unknown, permission: string];

const granted = (role: string, permission: string) => SYSTEM_ROLES.find((r) => r.slug === role)!.permissions.includes(permission);

export function accessSuite(
  c: EntityCase, state: SuiteState, base: (org: string) => string, body: (slug: string) => Record<string, unknown>,
): void {
  let existing: { slug: string; id: string };
  const routes = (): Route[] => {
    const org = state.cast.orgA.slug;
    return [
      ["GET collection", "GET", `${base(org)}/`, undefined, c.permissions.read],
      ["POST collection", "POST", `${base(org)}/`, body(randomSlug()), c.permissions.create],
      ["GET item", "GET", `${base(org)}/${existing.slug}`, undefined, c.permissions.read],
      ["PATCH item", "PATCH", `${base(org)}/${existing.slug}`, [{ op: "replace", path: "/description", value: "patched" }], c.permissions.update],
      ["DELETE item", "DELETE", `${base(org)}/${existing.slug}`, undefined, c.permissions.delete],
    ];
  };
  const routeIndex = [0, 1, 2, 3, 4].map((i) => [["GET collection", "POST collection", "GET item", "PATCH item", "DELETE item"][i]!, i] as const);
  const stillThere = async () => {
    const row = await state.t.infra.sql`select id, description from ${state.t.infra.sql(c.table)} where id = ${existing.id}`;
    expect(row).toHaveLength(1);
    expect(row[0]!.description).toBeNull();
  };

  describe(`${c.segment}: authentication and authorization`, () => {
    beforeAll(async () => {
      const created = await send(state.t, "POST", `${base(state.cast.orgA.slug)}/`, body(randomSlug("keep")), state.cast.adminA.headers);
      existing = created.body;
    });

    test.each(routeIndex)("%s: 401 without credentials, with a bad token, or with a bad API key", async (_label, i) => {
      const [, method, path, payload] = routes()[i]!;
      for (const headers of [{} as Record<string, string>, { authorization: "Bearer not-a-token" }, { authorization: `Bearer ik_${"0".repeat(32)}_${"s".repeat(30)}` }, { authorization: "Basic dXNlcjpwdw==" }]) {
        const response = await send(state.t, method, path, payload, headers);
        expect(response.status).toBe(401);
        expect(typeof response.body.detail).toBe("string");
        expect(response.headers.get("www-authenticate")).toBe("Bearer");
      }
      await stillThere();
    });

    test.each(routeIndex)("%s: 403 for members of another organization (admin and developer roles, a service account)", async (_label, i) => {
      const [, method, path, payload, permission] = routes()[i]!;
      const sa = await serviceAccount(state.t, state.cast.orgB, "admin");
      for (const headers of [state.cast.adminB.headers, state.cast.developerB.headers, sa.headers]) {
        const response = await send(state.t, method, path, payload, headers);
        expect(response.status).toBe(403);
        expect(response.body.detail).toBe(`Permission denied: ${permission} required`);
      }
      await stillThere();
    });

    test.each(["developer", "readonly", "default"])("the %s role in the organization gets exactly what the role grants there", async (role) => {
      const sa = await serviceAccount(state.t, state.cast.orgA, role);
      const user = role === "developer" ? state.cast.developerA.headers : role === "readonly" ? state.cast.readonlyA.headers : undefined;
      for (const headers of [sa.headers, ...(user ? [user] : [])]) {
        for (const [label, method, path, payload, permission] of routes()) {
          // An allowed DELETE targets an unknown slug so that the fixture survives (→ 404).
          const target = method === "DELETE" ? `${base(state.cast.orgA.slug)}/unknown-slug` : path;
          const response = await send(state.t, method, target, method === "PATCH" ? [] : payload, headers);
          const expected = granted(role, permission) ? { GET: 200, POST: 201, PATCH: 200, DELETE: 404 }[method] : 403;
          expect({ label, status: response.status }).toEqual({ label, status: expected });
        }
      }
      await stillThere();
    });

    test("a system administrator (is_admin, no membership) may do everything; a service account never bypasses", async () => {
      const { t, cast } = state;
      for (const [label, method, path, payload] of routes().slice(0, 4)) {
        const response = await send(t, method, path, payload, cast.system.headers);
        expect({ label, status: response.status }).toEqual({ label, status: method === "POST" ? 201 : 200 });
      }
      const created = await send(t, "POST", `${base(cast.orgA.slug)}/`, body(randomSlug()), cast.system.headers);
      expect((await send(t, "DELETE", `${base(cast.orgA.slug)}/${created.body.slug}`, undefined, cast.system.headers)).status).toBe(204);
      await state.t.infra.sql`update ${state.t.infra.sql(c.table)} set description = null where id = ${existing.id}`;
    });
  });

  describe(`${c.segment}: no input gives a 5xx`, () => {
    const hostileBodies: unknown[] = [
      null, 0, "text", true, [], [1, 2], {}, { name: {} }, { name: [] }, { name: null, slug: null },
      { name: "x", slug: "\u0000" }, { name: "\ud800", slug: randomSlug() }, { name: "x".repeat(100_000), slug: "x" },
      { name: "x", slug: "x", description: "x".repeat(200_000) }, { name: "x", slug: 1e308 }, { name: "x", slug: "x", icon: "\u0000" },
      { name: "\u202e\u0000", slug: "\u0661" }, { constructor: { prototype: { x: 1 } }, name: "x", slug: "y" },
      { name: "x", slug: "z", __proto__: { slug: "Bad" } }, JSON.parse("{\"name\":\"x\",\"slug\":\"dup\",\"slug\":\"Dup\"}"),
      { a: { b: { c: { d: { e: { f: {} } } } } } },
    ];
    test.each(hostileBodies.map((b, i) => [i, b] as const))("POST hostile body #%d → no 5xx", async (_i, hostile) => {
      const response = await send(state.t, "POST", `${base(state.cast.orgA.slug)}/`, hostile, state.cast.adminA.headers);
      expect(response.status).toBeLessThan(500);
    });

    const hostilePatches: unknown[] = [
      null, {}, [null], [{}], [{ op: null, path: null }], [{ op: "add" }], [{ op: "replace", path: "/name", value: {} }],
      [{ op: "replace", path: "/name/0", value: "x" }], [{ op: "add", path: "/~", value: 1 }], [{ op: "add", path: "/a~2b", value: 1 }],
      [{ op: "add", path: "/constructor/prototype/x", value: 1 }], [{ op: "copy", from: "/name", path: "/slug" }],
      [{ op: "replace", path: "/description", value: "\u0000" }], [{ op: "replace", path: "/name", value: "\ud800" }],
      [{ op: "test", path: "/nope", value: 1 }], [{ op: "move", from: "/name", path: "/name/x" }], Array(2000).fill({ op: "test", path: "/slug", value: "no" }),
      ...Object.keys(c.defaults).map((key) => [{ op: "replace", path: `/${key}`, value: "\u0000" }]),
      ...Object.keys(c.defaults).map((key) => [{ op: "replace", path: `/${key}`, value: "99999999999999999999" }]),
      ...Object.keys(c.defaults).map((key) => [{ op: "replace", path: `/${key}`, value: [{ label: "\ud800", pattern: "\ud800" }] }]),
    ];
    test.each(hostilePatches.map((p, i) => [i, p] as const))("PATCH hostile operations #%d → no 5xx", async (_i, hostile) => {
      const response = await send(state.t, "PATCH", `${base(state.cast.orgA.slug)}/${existing.slug}`, hostile, state.cast.adminA.headers);
      expect(response.status).toBeLessThan(500);
    });

    test.each(["%00", "a%00b", "%ZZ", "..%2F..%2Fetc", "x".repeat(5000), "%F0%9F%92%A9", "%C0%AF", "null", "-"])("paths with slug %s → 4xx", async (slug) => {
      const { t, cast } = state;
      for (const [method, path, payload] of [
        ["GET", `${base(cast.orgA.slug)}/${slug}`], ["PATCH", `${base(cast.orgA.slug)}/${slug}`, []], ["DELETE", `${base(cast.orgA.slug)}/${slug}`],
        ["GET", `${base(slug)}/`], ["POST", `${base(slug)}/`, body(randomSlug())], ["GET", `${base(slug)}/x`],
      ] as [Method, string, unknown][]) {
        const response = await send(t, method, path, payload, cast.system.headers);
        expect({ method, path, status: response.status < 500 && response.status >= 400 }).toEqual({ method, path, status: true });
      }
    });

    test("nothing was logged as an unhandled error", () => {
      expect(state.t.logs.filter((line) => line.msg === "unhandled error")).toEqual([]);
    });
  });
}
