/**
 * Every projects route answers 4xx, never 5xx, for hostile input (odd ids, unstorable
 * characters, wrong JSON types, huge values), and service accounts are held to the
 * organization in the path like users (D2).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send, serviceAccount, type Method } from "../../helpers/catalog.ts";
import { projectBody } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
let id = "";
beforeAll(async () => {
  id = (await w.create()).id;
});

const ODD_IDS = ["%00", "%E2%80%8F", "..", "%2F", "a".repeat(2000), "'; drop table projects; --", "%F0%9F%92%A9", "null"];

describe("never a 5xx", () => {
  const routes: [Method, (x: string) => string, unknown][] = [
    ["GET", (x) => `/${x}`, undefined],
    ["PATCH", (x) => `/${x}`, [{ op: "replace", path: "/name", value: "n" }]],
    ["DELETE", (x) => `/${x}`, undefined],
    ["POST", (x) => `/${x}/archive`, undefined],
    ["POST", (x) => `/${x}/unarchive`, undefined],
    ["PATCH", (x) => `/${x}/environments/${x}`, { a: 1 }],
    ["GET", (x) => `/${x}/relationships`, undefined],
    ["POST", (x) => `/${x}/relationships/${x}`, undefined],
    ["DELETE", (x) => `/${x}/relationships/${x}`, undefined],
    ["GET", (x) => `/${x}/dependencies?depth=2`, undefined],
  ];

  test.each(routes.map(([method, path, body]) => [`${method} ${path("{x}")}`, method, path, body] as const))(
    "%s with odd ids → 4xx",
    async (_name, method, path, body) => {
      for (const odd of ODD_IDS) {
        const sent = await send(w.t, method, `${w.base}${path(odd)}`, body, w.cast.system.headers);
        // ".." is resolved by URL normalization to another route, which may answer 200
        expect({ odd, status: odd === ".." ? sent.status < 500 : sent.status >= 400 && sent.status < 500 }).toEqual({ odd, status: true });
      }
    },
  );

  test("odd organization slugs and filter values → 4xx or an empty list", async () => {
    for (const odd of ODD_IDS) {
      const sent = await send(w.t, "GET", `/organizations/${odd}/projects/?team=${odd}&environment=${odd}&project_type=${odd}`, undefined, w.cast.system.headers);
      expect(sent.status).toBeLessThan(500);
      const filtered = await send(w.t, "GET", `${w.base}/?team=${odd}&environment=${odd}&project_type=${odd}`, undefined, w.cast.system.headers);
      expect({ odd, status: filtered.status < 500 }).toEqual({ odd, status: true });
    }
  });

  const hostileBodies: [string, unknown][] = [
    ["a huge name", { name: "n".repeat(1_000_000) }],
    ["a deeply nested edge property", { environments: { x: { a: JSON.parse("[".repeat(500) + "]".repeat(500)) } } }],
    ["a number beyond int64 as identifier", { identifiers: { big: 1e300 } }],
    ["a float slug list", { project_type_slugs: [1.5] }],
    ["a lone surrogate in a link key", { links: { "\ud83d": "https://x.io" } }],
    ["2001 environments", { environments: Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`e${i}`, {}])) }],
  ];

  test.each(hostileBodies)("POST with %s → 4xx", async (_case, fields) => {
    const sent = await send(w.t, "POST", `${w.base}/`, { ...projectBody(w.catalog), ...(fields as object) }, w.cast.developerA.headers);
    expect(sent.status).toBeWithin(400, 500);
  });

  test("a __proto__ key → 422 (it could not be read back); nothing is polluted", async () => {
    const body = JSON.parse(`{"__proto__": {"admin": true}, "links": {"__proto__": "https://x.io"}, "name": "Proto", "slug": "proto",
      "team_slug": "${w.catalog.team.slug}", "project_type_slugs": ["${w.catalog.api.slug}"]}`);
    const sent = await send(w.t, "POST", `${w.base}/`, body, w.cast.developerA.headers);
    expect(sent.status).toBe(422);
    expect(sent.body.detail.map((d: { loc: string[] }) => d.loc.join("."))).toEqual(["body.__proto__", "body.links.__proto__"]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test("PATCH with hostile values → never 5xx", async () => {
    for (const ops of [
      [{ op: "add", path: "/environments/x", value: { "a\u0000": 1 } }],
      [{ op: "add", path: "/__proto__/polluted", value: 1 }],
      [{ op: "add", path: "/identifiers/x", value: 1e300 }],
      [{ op: "copy", from: "/links", path: "/links/self" }],
      [{ op: "move", from: "/links", path: "/links/inside" }],
    ]) {
      const sent = await send(w.t, "PATCH", `${w.base}/${id}`, ops, w.cast.developerA.headers);
      expect({ ops, status: sent.status < 500 }).toEqual({ ops, status: true });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("no unhandled errors were logged", () => {
    expect(w.t.logs.filter((line) => line.msg === "unhandled error")).toEqual([]);
  });
});

describe("service accounts (API keys) are scoped to their organization", () => {
  test("an admin-role service account of org A may create there, not in org B", async () => {
    const sa = await serviceAccount(w.t, w.cast.orgA, "admin");
    expect((await send(w.t, "POST", `${w.base}/`, projectBody(w.catalog), sa.headers)).status).toBe(201);
    expect((await send(w.t, "GET", `/organizations/${w.cast.orgB.slug}/projects/`, undefined, sa.headers)).status).toBe(403);
  });
});
