/**
 * Node blueprints extend teams, environments, project types and link definitions (§13.3):
 * extra keys become attributes when a blueprint declares them and are validated with the
 * full JSON Schema vocabulary (pattern, minimum, format, oneOf, maxItems, …) on create and
 * JSON Patch; undeclared keys are dropped; priority, enabled and filter decide what applies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, expect422, send, type Cast } from "../../helpers/catalog.ts";
import { slugOf } from "../../helpers/catalog-factories.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());
afterEach(async () => void await t.infra.sql`delete from blueprints`);

async function blueprint(type: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const sent = await send(t, "POST", "/blueprints/", {
    name: slugOf("bp"), type, json_schema: { type: "object", properties, ...(extra.json ?? {}) }, ...extra, json: undefined,
  }, cast.system.headers);
  expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
  return sent.body;
}

const entities = [
  ["teams", "Team"],
  ["environments", "Environment"],
  ["project-types", "ProjectType"],
  ["link-definitions", "LinkDefinition"],
] as const;

describe.each(entities)("POST/PATCH /organizations/{org}/%s with %s blueprints", (segment, type) => {
  const base = () => `/organizations/${cast.orgA.slug}/${segment}`;
  const create = (body: Record<string, unknown>) => send(t, "POST", `${base()}/`, { name: "X", slug: slugOf("e"), ...body }, cast.adminA.headers);

  it("stores declared attributes, drops undeclared ones, and answers with them at the top level", async () => {
    await blueprint(type, { cost_center: { type: "string", pattern: "^CC-[0-9]{4}$" } });
    const sent = await create({ cost_center: "CC-1234", undeclared: "gone" });
    expect(sent.status).toBe(201);
    expect(sent.body.cost_center).toBe("CC-1234");
    expect(sent.body.undeclared).toBeUndefined();
    const read = await send(t, "GET", `${base()}/${sent.body.slug}`, undefined, cast.adminA.headers);
    expect(read.body.cost_center).toBe("CC-1234");
  });

  const bad: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["pattern", { cost_center: { type: "string", pattern: "^CC-[0-9]{4}$" } }, { cost_center: "cc-12" }],
    ["minimum", { headcount: { type: "integer", minimum: 1 } }, { headcount: 0 }],
    ["format uri", { wiki: { type: "string", format: "uri" } }, { wiki: "not a url" }],
    ["format email", { contact: { type: "string", format: "email" } }, { contact: "nobody" }],
    ["oneOf", { budget: { oneOf: [{ type: "integer", minimum: 0 }, { type: "string", enum: ["unlimited"] }] } }, { budget: "lots" }],
    ["maxItems", { aliases: { type: "array", items: { type: "string" }, maxItems: 2 } }, { aliases: ["a", "b", "c"] }],
    ["items", { aliases: { type: "array", items: { type: "string", maxLength: 3 } } }, { aliases: ["abcd"] }],
    ["type", { headcount: { type: "integer" } }, { headcount: "12" }],
    ["nested object", { owner: { type: "object", required: ["email"], properties: { email: { type: "string", format: "email" } } } }, { owner: {} }],
    ["required", { tier: { type: "string" } }, {}],
  ];

  it.each(bad)("create: 422 for a value breaking %s, located at the field", async (keyword, properties, body) => {
    const field = Object.keys(properties)[0]!;
    await blueprint(type, properties, keyword === "required" ? { json: { required: [field] } } : {});
    const sent = await create(body);
    expect422(sent, `body.${field}`);
    const ok = await create({});
    if (keyword !== "required") expect(ok.status).toBe(201); // the same blueprint accepts an absent optional field
  });

  it("patch: validates the patched attributes (422, nothing written) and stores valid ones", async () => {
    await blueprint(type, { headcount: { type: "integer", minimum: 1, maximum: 500 } });
    const created = await create({ headcount: 3 });
    const path = `${base()}/${created.body.slug}`;
    expect422(await send(t, "PATCH", path, [{ op: "replace", path: "/headcount", value: 501 }], cast.adminA.headers), "body.headcount");
    expect422(await send(t, "PATCH", path, [{ op: "replace", path: "/headcount", value: "many" }], cast.adminA.headers), "body.headcount");
    expect((await send(t, "GET", path, undefined, cast.adminA.headers)).body.headcount).toBe(3);
    const ok = await send(t, "PATCH", path, [{ op: "replace", path: "/headcount", value: 42 }, { op: "add", path: "/junk", value: 1 }], cast.adminA.headers);
    expect(ok.status).toBe(200);
    expect(ok.body.headcount).toBe(42);
    expect(ok.body.junk).toBeUndefined();
    const removed = await send(t, "PATCH", path, [{ op: "remove", path: "/headcount" }], cast.adminA.headers);
    expect(removed.status).toBe(200);
    expect(removed.body.headcount).toBeUndefined();
  });
});

describe("POST/PATCH /organizations with Organization blueprints (applied on write, unlike the reference)", () => {
  const createOrg = (body: Record<string, unknown>) =>
    send(t, "POST", "/organizations/", { name: "Org", slug: slugOf("o"), ...body }, cast.system.headers);

  it("create: stores declared attributes, drops undeclared ones, 422 at the field for a bad value", async () => {
    await blueprint("Organization", { cost_center: { type: "string", pattern: "^CC-[0-9]{4}$" }, tier: { type: "integer", minimum: 1, maximum: 3 } });
    const sent = await createOrg({ cost_center: "CC-1234", tier: 2, undeclared: "gone" });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ cost_center: "CC-1234", tier: 2 });
    expect(sent.body.undeclared).toBeUndefined();
    expect((await send(t, "GET", `/organizations/${sent.body.slug}`, undefined, cast.system.headers)).body.tier).toBe(2);
    expect422(await createOrg({ cost_center: "cc-1" }), "body.cost_center");
    expect422(await createOrg({ tier: 9 }), "body.tier");
  });

  it("patch: validates patched attributes (422, nothing written), stores valid ones, keeps them across column edits", async () => {
    await blueprint("Organization", { tier: { type: "integer", minimum: 1, maximum: 3 } });
    const org = cast.orgA.slug;
    const path = `/organizations/${org}`;
    const ok = await send(t, "PATCH", path, [{ op: "add", path: "/tier", value: 3 }], cast.adminA.headers);
    expect(ok.status).toBe(200);
    expect(ok.body.tier).toBe(3);
    expect422(await send(t, "PATCH", path, [{ op: "replace", path: "/tier", value: 4 }], cast.adminA.headers), "body.tier");
    const renamed = await send(t, "PATCH", path, [{ op: "replace", path: "/name", value: "Renamed A" }], cast.adminA.headers);
    expect(renamed.body).toMatchObject({ name: "Renamed A", tier: 3 });
    const removed = await send(t, "PATCH", path, [{ op: "remove", path: "/tier" }], cast.adminA.headers);
    expect(removed.body.tier).toBeUndefined();
  });
});

describe("which blueprints apply", () => {
  const base = () => `/organizations/${cast.orgA.slug}/teams`;
  const create = (body: Record<string, unknown>) => send(t, "POST", `${base()}/`, { name: "X", slug: slugOf("t"), ...body }, cast.adminA.headers);

  it("a higher priority blueprint's definition of a property wins", async () => {
    await blueprint("Team", { size: { type: "integer", maximum: 5 } }, { priority: 10 });
    await blueprint("Team", { size: { type: "integer", maximum: 100 } }, { priority: 1 });
    expect422(await create({ size: 6 }), "body.size");
    expect((await create({ size: 5 })).status).toBe(201);
  });

  it("a lower priority definition is overridden, not added to", async () => {
    await blueprint("Team", { size: { type: "integer", maximum: 5 } }, { priority: 1 });
    await blueprint("Team", { size: { type: "integer", maximum: 100 } }, { priority: 10 });
    const sent = await create({ size: 50 });
    expect(sent.status).toBe(201);
    expect(sent.body.size).toBe(50);
  });

  it("a disabled blueprint is ignored (its fields are neither validated nor stored)", async () => {
    const bp = await blueprint("Team", { size: { type: "integer", maximum: 5 } }, { enabled: false });
    const sent = await create({ size: 50 });
    expect(sent.status).toBe(201);
    expect(sent.body.size).toBeUndefined();
    await send(t, "PATCH", `/blueprints/Team/${bp.slug}`, [{ op: "replace", path: "/enabled", value: true }], cast.system.headers);
    expect422(await create({ size: 50 }), "body.size");
  });

  it("a filtered blueprint does not apply to entities without a context", async () => {
    await blueprint("Team", { size: { type: "integer", maximum: 5 } }, { filter: { project_type: ["http-api"] } });
    const sent = await create({ size: 50 });
    expect(sent.status).toBe(201);
    expect(sent.body.size).toBeUndefined();
  });

  it("defaults are applied and enum values are coerced to their declared spelling", async () => {
    await blueprint("Team", { tier: { type: "string", enum: ["Gold", "Silver"] }, replicas: { type: "integer", default: 2 } });
    const sent = await create({ tier: "gold" });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ tier: "Gold", replicas: 2 });
    expect422(await create({ tier: "bronze" }), "body.tier");
  });

  it("a blueprint property naming an entity column constrains the column", async () => {
    await blueprint("Team", { description: { type: "string", minLength: 10 } }, { json: { required: ["description"] } });
    expect422(await create({}), "body.description");
    expect422(await create({ description: "short" }), "body.description");
    const sent = await create({ description: "long enough text" });
    expect(sent.status).toBe(201);
    expect(sent.body.description).toBe("long enough text");
  });

  it("attributes stored under a blueprint since deleted survive an unrelated patch", async () => {
    const bp = await blueprint("Team", { legacy: { type: "string" } });
    const created = await create({ legacy: "keep me" });
    await send(t, "DELETE", `/blueprints/Team/${bp.slug}`, undefined, cast.system.headers);
    const patched = await send(t, "PATCH", `${base()}/${created.body.slug}`, [{ op: "replace", path: "/name", value: "Renamed" }], cast.adminA.headers);
    expect(patched.status).toBe(200);
    expect(patched.body.legacy).toBe("keep me");
  });

  it("tags have no blueprints: extra keys are dropped as before", async () => {
    const sent = await send(t, "POST", `/organizations/${cast.orgA.slug}/tags/`, { name: "Tagged", color: "red" }, cast.adminA.headers);
    expect(sent.status).toBe(201);
    expect(sent.body.color).toBeUndefined();
  });
});
