/**
 * GET /organizations/{org}/search, lexical (EMBEDDINGS_ENABLED=false): access rules, every
 * parameter and its bounds, organisation scoping, typo tolerance and the reasons given.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { newId } from "../../../src/lib/ids.ts";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, expect422, send, type Cast } from "../../helpers/catalog.ts";
import { bearer, createUser, login } from "../../helpers/identity.ts";
import { searchPath, seedCatalog, type SeededOrg } from "./seed.ts";

let t: TestApp;
let cast: Cast;
let a: SeededOrg;
let b: SeededOrg;

beforeAll(async () => {
  t = await startTestApp({ EMBEDDINGS_ENABLED: "false" });
  cast = await createCast(t);
  a = await seedCatalog(t, cast.orgA.id, {
    project: "Payments Gateway",
    description: "Takes card payments and issues refunds.\n\n## Settlement\nNightly settlement batches to the acquiring bank.",
    document: "# Overview\nHow the gateway talks to the card processor.\n\n## Incident response\nPage the on-call engineer when refunds fail.",
  });
  b = await seedCatalog(t, cast.orgB.id, {
    project: "Payments Ledger",
    description: "Records every payment and refund of organization B.",
    document: "# Overview\nSecret ledger internals of organization B: payments, refunds, settlement.",
  });
  await t.ctx.search.drain();
});
afterAll(() => t.close());

const get = (path: string, headers: Record<string, string>) => send(t, "GET", path, undefined, headers);

describe("GET /organizations/{org}/search: access", () => {
  it("401 without credentials", async () => {
    const sent = await send(t, "GET", searchPath(cast.orgA.slug, { q: "payments" }));
    expect(sent.status).toBe(401);
  });

  it("403 for a member of another organization", async () => {
    const sent = await get(searchPath(cast.orgA.slug, { q: "payments" }), cast.adminB.headers);
    expect(sent.status).toBe(403);
    expect(sent.body.detail).toContain("search:read");
  });

  it("403 for a member whose role lacks search:read", async () => {
    const roleId = newId();
    await t.infra.sql`insert into roles (id, slug, name) values (${roleId}, ${`nosearch-${roleId.toLowerCase()}`}, 'No search')`;
    const user = await createUser(t);
    await t.infra.sql`insert into organization_memberships (organization_id, user_id, role_id) values (${cast.orgA.id}, ${user.id}, ${roleId})`;
    const { access_token } = await login(t, user);
    expect((await get(searchPath(cast.orgA.slug, { q: "payments" }), bearer(access_token))).status).toBe(403);
  });

  it("404 for an organization that does not exist (admin)", async () => {
    const sent = await get(searchPath("no-such-org", { q: "payments" }), cast.system.headers);
    expect(sent.status).toBe(404);
    expect(sent.body.detail).toContain("no-such-org");
  });

  it("200 for the readonly role, which holds search:read", async () => {
    expect((await get(searchPath(cast.orgA.slug, { q: "payments" }), cast.readonlyA.headers)).status).toBe(200);
  });
});

describe("GET /organizations/{org}/search: results", () => {
  it("finds the organization's project, document and release, one row per entity, enriched", async () => {
    const sent = await get(searchPath(cast.orgA.slug, { q: "payments" }), cast.developerA.headers);
    expect(sent.status).toBe(200);
    const project = sent.body.find((hit: any) => hit.node_label === "Project");
    expect(project).toMatchObject({ node_id: a.projectId, name: "Payments Gateway", project_id: null, matched_by: ["full_text"] });
    expect(typeof project.slug).toBe("string");
    const keys = sent.body.map((hit: any) => `${hit.node_label}:${hit.node_id}`);
    expect(new Set(keys).size).toBe(keys.length);
    const document = sent.body.find((hit: any) => hit.node_label === "Document");
    expect(document).toMatchObject({ node_id: a.documentId, project_id: a.projectId, name: "Payments Gateway runbook" });
  });

  it("returns the best chunk: a markdown section, not the whole description", async () => {
    const sent = await get(searchPath(cast.orgA.slug, { q: "settlement batches", node_label: "Project" }), cast.developerA.headers);
    expect(sent.body).toHaveLength(1);
    expect(sent.body[0]).toMatchObject({ attribute: "description", chunk_text: "## Settlement\nNightly settlement batches to the acquiring bank." });
  });

  it("forgives typos (pg_trgm) and says so", async () => {
    const sent = await get(searchPath(cast.orgA.slug, { q: "setlement", node_label: "Project" }), cast.developerA.headers);
    expect(sent.body.map((hit: any) => hit.node_id)).toEqual([a.projectId]);
    expect(sent.body[0].matched_by).toEqual(["fuzzy"]);
    expect(sent.body[0].distance).toBeGreaterThan(0);
  });

  it("corrects a transposed word against the indexed vocabulary", async () => {
    const sent = await get(searchPath(cast.orgA.slug, { q: "paymnets gateway", node_label: "Project" }), cast.developerA.headers);
    expect(sent.body[0]).toMatchObject({ node_id: a.projectId, matched_by: ["full_text"] });
    const typoOnly = await get(searchPath(cast.orgA.slug, { q: "paymnets", node_label: "Project" }), cast.developerA.headers);
    expect(typoOnly.body[0]).toMatchObject({ node_id: a.projectId, matched_by: ["fuzzy"] });
  });

  it("never returns another organization's entities, whatever the query", async () => {
    for (const q of ["payments", "ledger", "secret ledger internals of organization B", "refund", "overview", "a"]) {
      const sent = await get(searchPath(cast.orgA.slug, { q, limit: 100 }), cast.adminA.headers);
      expect(sent.status).toBe(200);
      const ids = sent.body.map((hit: any) => hit.node_id);
      for (const foreign of [b.orgId, b.teamId, b.projectId, b.documentId, b.releaseId]) expect(ids).not.toContain(foreign);
    }
    const ledger = await get(searchPath(cast.orgA.slug, { q: "ledger" }), cast.system.headers);
    expect(ledger.body).toEqual([]);
  });

  it("node_label and attribute narrow the rows; an unknown label finds nothing", async () => {
    const docs = await get(searchPath(cast.orgA.slug, { q: "refunds", node_label: "Document" }), cast.adminA.headers);
    expect(docs.body.map((hit: any) => hit.node_label)).toEqual(["Document"]);
    const names = await get(searchPath(cast.orgA.slug, { q: "payments", attribute: "name" }), cast.adminA.headers);
    expect(names.body.length).toBeGreaterThan(0);
    for (const hit of names.body) expect(hit.attribute).toBe("name");
    const none = await get(searchPath(cast.orgA.slug, { q: "payments", node_label: "Spaceship" }), cast.adminA.headers);
    expect(none.body).toEqual([]);
  });

  it("limit caps the rows", async () => {
    const all = await get(searchPath(cast.orgA.slug, { q: "payments refunds gateway", limit: 100 }), cast.adminA.headers);
    expect(all.body.length).toBeGreaterThan(1);
    const one = await get(searchPath(cast.orgA.slug, { q: "payments refunds gateway", limit: 1 }), cast.adminA.headers);
    expect(one.body).toHaveLength(1);
    expect(one.body[0].node_id).toBe(all.body[0].node_id);
  });

  it("threshold is a distance ceiling on every row", async () => {
    const loose = await get(searchPath(cast.orgA.slug, { q: "setlement", threshold: 2 }), cast.adminA.headers);
    expect(loose.body.length).toBeGreaterThan(0);
    const tight = await get(searchPath(cast.orgA.slug, { q: "setlement", threshold: 0 }), cast.adminA.headers);
    expect(tight.body).toEqual([]);
    const exact = await get(searchPath(cast.orgA.slug, { q: "settlement", threshold: 0 }), cast.adminA.headers);
    for (const hit of exact.body) expect(hit.distance).toBe(0);
    expect(exact.body.length).toBeGreaterThan(0);
  });

  it("hides an archived project and what belongs to it", async () => {
    await t.infra.sql`update projects set archived = true where id = ${a.projectId}`;
    try {
      const sent = await get(searchPath(cast.orgA.slug, { q: "payments gateway", limit: 100 }), cast.adminA.headers);
      const ids = sent.body.map((hit: any) => hit.node_id);
      for (const hidden of [a.projectId, a.documentId, a.releaseId]) expect(ids).not.toContain(hidden);
    } finally {
      await t.infra.sql`update projects set archived = false where id = ${a.projectId}`;
    }
  });

  it("a model key that is not configured is a 422", async () => {
    const sent = await get(searchPath(cast.orgA.slug, { q: "payments", model: "images" }), cast.adminA.headers);
    expect422(sent, "query.model");
  });
});

describe("GET /organizations/{org}/search: malformed parameters", () => {
  it.each([
    ["q missing", {}, "query.q"],
    ["q empty", { q: "" }, "query.q"],
    ["q too long", { q: "x".repeat(1001) }, "query.q"],
    ["limit 0", { q: "x", limit: 0 }, "query.limit"],
    ["limit 101", { q: "x", limit: 101 }, "query.limit"],
    ["limit not a number", { q: "x", limit: "ten" }, "query.limit"],
    ["limit fractional", { q: "x", limit: 1.5 }, "query.limit"],
    ["threshold negative", { q: "x", threshold: -0.1 }, "query.threshold"],
    ["threshold above 2", { q: "x", threshold: 2.01 }, "query.threshold"],
    ["threshold not a number", { q: "x", threshold: "near" }, "query.threshold"],
  ])("%s → 422", async (_name, params, field) => {
    const sent = await get(searchPath(cast.orgA.slug, params as Record<string, string>), cast.adminA.headers);
    expect422(sent, field);
  });

  it("accepts the bounds themselves", async () => {
    for (const params of [{ limit: 1 }, { limit: 100 }, { threshold: 0 }, { threshold: 2 }] as Record<string, number>[]) {
      expect((await get(searchPath(cast.orgA.slug, { q: "payments", ...params }), cast.adminA.headers)).status).toBe(200);
    }
  });

  it("odd queries answer 200, never 500", async () => {
    for (const q of ["!!!", "'; drop table projects; --", "\"unbalanced", "-", "a | b & c", "日本語", "%_\\"]) {
      expect((await get(searchPath(cast.orgA.slug, { q }), cast.adminA.headers)).status).toBe(200);
    }
  });
});
