/** /blueprints: create, list, read, JSON Patch, delete; access; malformed input (§13.1, §13.2). */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, expect422, send, type Cast } from "../../helpers/catalog.ts";
import { unique } from "../../helpers/identity.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const schema = {
  type: "object",
  required: ["framework"],
  properties: {
    framework: { type: "string", enum: ["FastAPI", "Tornado"], "x-ui": { icon: "code" } },
    oncall_url: { type: "string", format: "uri" },
    replicas: { type: "integer", default: 2, minimum: 1 },
  },
};
const body = (overrides: Record<string, unknown> = {}) => ({
  name: `Service Metadata ${unique("b")}`, type: "Project", priority: 10,
  filter: { project_type: ["http-api"], environment: [] }, json_schema: schema, ...overrides,
});

describe("POST /blueprints/", () => {
  it("creates a node blueprint with a derived slug and string-encoded filter and schema (A.4)", async () => {
    const sent = await send(t, "POST", "/blueprints/", body({ name: "Service Metadata" }), cast.developerA.headers);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ slug: "service-metadata", kind: "node", type: "Project", enabled: true, version: 0, priority: 10 });
    expect(typeof sent.body.json_schema).toBe("string");
    expect(JSON.parse(sent.body.json_schema)).toEqual(schema);
    expect(JSON.parse(sent.body.filter)).toEqual({ project_type: ["http-api"], environment: [] });
    expect(sent.body.id).toHaveLength(21);
  });

  it("accepts json_schema and filter as JSON strings, and a relationship blueprint", async () => {
    const sent = await send(t, "POST", "/blueprints", {
      name: "Deployment", kind: "relationship", source: "Project", target: "Environment", edge: "DEPLOYED_IN",
      json_schema: JSON.stringify({ type: "object", properties: { url: { type: "string", format: "uri" } } }), filter: JSON.stringify({ environment: ["prod"] }),
    }, cast.adminA.headers);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ kind: "relationship", type: null, source: "Project", edge: "DEPLOYED_IN" });
    expect(JSON.parse(sent.body.filter)).toEqual({ project_type: [], environment: ["prod"] });
    expect((await send(t, "GET", "/blueprints/relationship/deployment", undefined, cast.readonlyA.headers)).status).toBe(200);
  });

  it("refuses a slug clash within the same type with 409, allows it for another type", async () => {
    const slug = unique("clash").toLowerCase();
    expect((await send(t, "POST", "/blueprints/", body({ slug }), cast.adminA.headers)).status).toBe(201);
    const again = await send(t, "POST", "/blueprints/", body({ slug }), cast.adminA.headers);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(slug);
    expect((await send(t, "POST", "/blueprints/", body({ slug, type: "Team", filter: null }), cast.adminA.headers)).status).toBe(201);
  });

  it("lower-cases a given slug", async () => {
    const sent = await send(t, "POST", "/blueprints/", body({ slug: "Upper-Case-X" }), cast.adminA.headers);
    expect(sent.status).toBe(201);
    expect(sent.body.slug).toBe("upper-case-x");
  });

  it("401 without credentials, 403 without blueprint:write", async () => {
    expect((await send(t, "POST", "/blueprints/", body())).status).toBe(401);
    const denied = await send(t, "POST", "/blueprints/", body(), cast.readonlyA.headers);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toBe("Permission denied: blueprint:write required");
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ["missing name", { name: undefined }, "name"],
    ["empty name", { name: "" }, "name"],
    ["missing json_schema", { json_schema: undefined }, "json_schema"],
    ["json_schema not JSON", { json_schema: "{nope" }, "json_schema"],
    ["json_schema an array", { json_schema: "[1]" }, "json_schema"],
    ["json_schema of a string", { json_schema: { type: "string" } }, "json_schema"],
    ["invalid JSON Schema: bad type name", { json_schema: { type: "object", properties: { a: { type: "strng" } } } }, "json_schema"],
    ["invalid JSON Schema: minimum not a number", { json_schema: { type: "object", properties: { a: { type: "integer", minimum: "1" } } } }, "json_schema"],
    ["invalid JSON Schema: unknown keyword", { json_schema: { type: "object", properties: { a: { type: "integer", minimun: 1 } } } }, "json_schema"],
    ["invalid JSON Schema: unknown format", { json_schema: { type: "object", properties: { a: { type: "string", format: "colour" } } } }, "json_schema"],
    ["invalid JSON Schema: bad regex", { json_schema: { type: "object", properties: { a: { type: "string", pattern: "(" } } } }, "json_schema"],
    ["invalid JSON Schema: unresolvable $ref", { json_schema: { type: "object", properties: { a: { $ref: "https://example.com/x.json" } } } }, "json_schema"],
    ["unknown type", { type: "Widget" }, "type"],
    ["node without type", { type: null }, "type"],
    ["node with an edge", { edge: "DEPLOYED_IN" }, "edge"],
    ["relationship without source", { kind: "relationship", type: null, target: "Environment", edge: "DEPLOYED_IN" }, "source"],
    ["relationship with a type", { kind: "relationship", source: "Project", target: "Environment", edge: "DEPLOYED_IN" }, "type"],
    ["unknown kind", { kind: "edge" }, "kind"],
    ["filter with an extra key", { filter: { team: ["x"] } }, "filter"],
    ["filter list of numbers", { filter: { project_type: [1] } }, "filter"],
    ["priority not an integer", { priority: 1.5 }, "priority"],
    ["enabled not a boolean", { enabled: "yes" }, "enabled"],
    ["slug with spaces", { slug: "a b" }, "slug"],
    ["name without slug-able characters", { name: "!!!" }, "slug"],
  ];
  it.each(invalid)("422 for %s", async (_, overrides, field) => {
    const payload = Object.fromEntries(Object.entries(body(overrides)).filter(([, value]) => value !== undefined));
    const sent = await send(t, "POST", "/blueprints/", payload, cast.adminA.headers);
    expect422(sent, field);
  });

  it("422 names the compiler's complaint for an invalid JSON Schema", async () => {
    const sent = await send(t, "POST", "/blueprints/", body({ json_schema: { type: "object", properties: { a: { type: "strng" } } } }), cast.adminA.headers);
    expect422(sent, "json_schema");
    expect(sent.body.detail[0].msg).toContain("Invalid JSON Schema");
  });

  it("400 for malformed JSON, 422 for a non-object body", async () => {
    expect((await send(t, "POST", "/blueprints/", "{", cast.adminA.headers)).status).toBe(400);
    expect422(await send(t, "POST", "/blueprints/", [1, 2], cast.adminA.headers));
  });
});

describe("GET /blueprints/", () => {
  it("lists by name, filters by type and enabled", async () => {
    const a = await send(t, "POST", "/blueprints/", body({ name: `zz Team ${unique("")}`, type: "Team", filter: null }), cast.adminA.headers);
    const b = await send(t, "POST", "/blueprints/", body({ name: `aa Team ${unique("")}`, type: "Team", filter: null, enabled: false }), cast.adminA.headers);
    const all = await send(t, "GET", "/blueprints/", undefined, cast.readonlyA.headers);
    expect(all.status).toBe(200);
    const ids = all.body.map((x: { id: string }) => x.id);
    expect(ids.indexOf(b.body.id)).toBeLessThan(ids.indexOf(a.body.id)); // "aa …" before "zz …"
    const teams = await send(t, "GET", "/blueprints/Team", undefined, cast.readonlyA.headers);
    expect(teams.body.every((x: { type: string }) => x.type === "Team")).toBe(true);
    expect(teams.body.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
    const enabled = await send(t, "GET", "/blueprints/Team?enabled=true", undefined, cast.readonlyA.headers);
    expect(enabled.body.map((x: { id: string }) => x.id)).toContain(a.body.id);
    expect(enabled.body.map((x: { id: string }) => x.id)).not.toContain(b.body.id);
    const disabled = await send(t, "GET", "/blueprints/?enabled=false", undefined, cast.readonlyA.headers);
    expect(disabled.body.every((x: { enabled: boolean }) => !x.enabled)).toBe(true);
  });

  it("422 for an unknown type segment, 401 without credentials, 403 without blueprint:read", async () => {
    expect422(await send(t, "GET", "/blueprints/Widget", undefined, cast.readonlyA.headers));
    expect((await send(t, "GET", "/blueprints/")).status).toBe(401);
    const none = await send(t, "GET", "/blueprints/", undefined, (await (async () => {
      const { actor } = await import("../../helpers/catalog.ts");
      return (await actor(t)).headers; // a user with no membership holds no permission
    })()));
    expect(none.status).toBe(403);
  });

  it("404 for an unknown slug or a slug of another type", async () => {
    const created = await send(t, "POST", "/blueprints/", body({ type: "Environment", filter: null }), cast.adminA.headers);
    expect((await send(t, "GET", `/blueprints/Environment/${created.body.slug}`, undefined, cast.readonlyA.headers)).status).toBe(200);
    const missing = await send(t, "GET", `/blueprints/Team/${created.body.slug}`, undefined, cast.readonlyA.headers);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe(`Blueprint with slug '${created.body.slug}' and type 'Team' not found`);
  });
});

describe("PATCH /blueprints/{type}/{slug}", () => {
  it("applies JSON Patch (also inside json_schema) and bumps the version", async () => {
    const created = await send(t, "POST", "/blueprints/", body(), cast.adminA.headers);
    const path = `/blueprints/Project/${created.body.slug}`;
    const patched = await send(t, "PATCH", path, [
      { op: "replace", path: "/priority", value: 20 },
      { op: "replace", path: "/enabled", value: false },
      { op: "add", path: "/json_schema/properties/tier", value: { type: "string", maxLength: 3 } },
      { op: "test", path: "/slug", value: created.body.slug },
    ], cast.developerA.headers);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ priority: 20, enabled: false, version: 1 });
    expect(JSON.parse(patched.body.json_schema).properties.tier).toEqual({ type: "string", maxLength: 3 });
    expect(patched.body.updated_at).not.toBeNull();
    const again = await send(t, "PATCH", path, [{ op: "replace", path: "/description", value: "x" }], cast.developerA.headers);
    expect(again.body.version).toBe(2);
  });

  it("refuses changing slug, type or kind (400) and read-only paths (400)", async () => {
    const created = await send(t, "POST", "/blueprints/", body(), cast.adminA.headers);
    const path = `/blueprints/Project/${created.body.slug}`;
    for (const op of [
      { op: "replace", path: "/slug", value: "other" },
      { op: "replace", path: "/type", value: "Team" },
      { op: "replace", path: "/kind", value: "relationship" },
      { op: "replace", path: "/id", value: "x" },
      { op: "replace", path: "/version", value: 9 },
    ]) {
      const sent = await send(t, "PATCH", path, [op], cast.adminA.headers);
      expect({ op: op.path, status: sent.status }).toEqual({ op: op.path, status: 400 });
    }
  });

  it("422 when the patched json_schema is not a valid JSON Schema; 422 for a failed test", async () => {
    const created = await send(t, "POST", "/blueprints/", body(), cast.adminA.headers);
    const path = `/blueprints/Project/${created.body.slug}`;
    expect422(await send(t, "PATCH", path, [{ op: "replace", path: "/json_schema/properties/replicas/minimum", value: "one" }], cast.adminA.headers), "json_schema");
    expect422(await send(t, "PATCH", path, [{ op: "replace", path: "/priority", value: "high" }], cast.adminA.headers), "priority");
    expect422(await send(t, "PATCH", path, [{ op: "test", path: "/priority", value: 99 }], cast.adminA.headers));
    const unchanged = await send(t, "GET", path, undefined, cast.adminA.headers);
    expect(unchanged.body.version).toBe(0);
  });

  it("404, 401, 403", async () => {
    expect((await send(t, "PATCH", "/blueprints/Project/nope", [], cast.adminA.headers)).status).toBe(404);
    expect((await send(t, "PATCH", "/blueprints/Project/nope", [])).status).toBe(401);
    expect((await send(t, "PATCH", "/blueprints/Project/nope", [], cast.readonlyA.headers)).status).toBe(403);
  });
});

describe("DELETE /blueprints/{type}/{slug}", () => {
  it("deletes (204, then 404); needs blueprint:delete", async () => {
    const created = await send(t, "POST", "/blueprints/", body(), cast.adminA.headers);
    const path = `/blueprints/Project/${created.body.slug}`;
    expect((await send(t, "DELETE", path, undefined, cast.developerA.headers)).status).toBe(403);
    expect((await send(t, "DELETE", path)).status).toBe(401);
    expect((await send(t, "DELETE", path, undefined, cast.adminA.headers)).status).toBe(204);
    expect((await send(t, "DELETE", path, undefined, cast.adminA.headers)).status).toBe(404);
    expect((await send(t, "GET", path, undefined, cast.adminA.headers)).status).toBe(404);
  });
});
