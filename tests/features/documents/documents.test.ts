/**
 * Documents (reference-domain §12.1): create under each anchor, read, list with filters and
 * keyset pages (Link headers), JSON Patch, delete; 404s outside the organization or anchor,
 * 422 per malformed field (D2), tags' relationship count and the 409 on deleting a used tag.
 */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const dev = () => w.cast.developerA.headers;
const get = (path: string) => send(w.t, "GET", path, undefined, dev());
const patch = (id: string, ops: unknown) => send(w.t, "PATCH", `${w.org}/documents/${id}`, ops, dev());

describe("create and read", () => {
  test("a project document: 201 with the full response, readable through the project and the organization", async () => {
    const d = await w.doc({ title: "Deploy runbook", content: "## Steps", tags: [w.runbook.slug, w.adr.slug, w.runbook.slug] });
    expect(d).toMatchObject({
      title: "Deploy runbook", content: "## Steps", created_by: w.cast.developerA.user.email, updated_by: null, updated_at: null,
      project_id: w.projectId, is_pinned: false, comment_count: 0,
      attached_to: { kind: "project", id: w.projectId, team: "Payments" },
      tags: [{ name: "ADR", slug: w.adr.slug }, { name: "Runbook", slug: w.runbook.slug }],
    });
    expect(d.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(typeof d.created_by_name).toBe("string");
    expect(d.attached_to.project_types).toEqual(expect.arrayContaining(["HTTP API"]));
    expect(new Date(d.created_at).toISOString()).toBe(d.created_at);
    for (const path of [`${w.projectDocs()}/${d.id}`, `${w.org}/documents/${d.id}`]) {
      const read = await get(path);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(d);
    }
  });

  test("a project-type document and a member's document", async () => {
    const typed = await w.doc({}, `${w.org}/project-types/${w.catalog.api.slug}/documents/`);
    expect(typed.attached_to).toEqual({ kind: "project_type", id: w.catalog.api.slug, name: "HTTP API" });
    expect(typed.project_id).toBeNull();
    const email = w.cast.readonlyA.user.email;
    const mine = await w.doc({}, `${w.org}/users/${encodeURIComponent(email.toUpperCase())}/documents/`);
    expect(mine.attached_to).toMatchObject({ kind: "user", id: email });
    const listed = await get(`${w.org}/users/${encodeURIComponent(email)}/documents/`);
    expect(listed.body.data.map((d: { id: string }) => d.id)).toEqual([mine.id]);
  });

  test("404: unknown organization, project, project type, non-member user, document; a document through another project", async () => {
    const body = { title: "t", content: "c" };
    const other = (await w.create()).id;
    const d = await w.doc();
    const cases: [string, string, unknown?][] = [
      ["POST", `${w.projectDocs("nope")}/`, body],
      ["POST", `${w.org}/project-types/nope/documents/`, body],
      ["POST", `${w.org}/users/${encodeURIComponent(w.cast.adminB.user.email)}/documents/`, body],
      ["GET", `${w.projectDocs("nope")}/`],
      ["GET", `${w.org}/documents/nope`],
      ["GET", `${w.projectDocs(other)}/${d.id}`],
      ["PATCH", `${w.projectDocs(other)}/${d.id}`, [{ op: "replace", path: "/title", value: "x" }]],
      ["DELETE", `${w.projectDocs(other)}/${d.id}`],
      ["GET", `${w.org}/documents/%00`],
    ];
    for (const [method, path, payload] of cases) {
      const sent = await send(w.t, method as "GET", path, payload, dev());
      expect({ path, method, status: sent.status }).toEqual({ path, method, status: 404 });
    }
    // an unknown organization: 404 for the system admin (a member of no org holds nothing there: 403)
    const noOrg = await send(w.t, "POST", `/organizations/nope-org/projects/${w.projectId}/documents/`, body, w.cast.system.headers);
    expect(noOrg.status).toBe(404);
    expect((await send(w.t, "GET", "/organizations/nope-org/documents/", undefined, w.cast.system.headers)).status).toBe(404);
    // org B's admin sees nothing of org A through org B's own path
    const cross = await send(w.t, "GET", `/organizations/${w.cast.orgB.slug}/documents/${d.id}`, undefined, w.cast.adminB.headers);
    expect(cross.status).toBe(404);
  });

  test("422 per malformed field; unknown tags name every missing slug; extra keys are ignored", async () => {
    const url = `${w.projectDocs()}/`;
    const post = (body: unknown) => send(w.t, "POST", url, body, dev());
    expect422(await post({ content: "c" }), "body.title");
    expect422(await post({ title: "", content: "c" }), "body.title");
    expect422(await post({ title: "x".repeat(201), content: "c" }), "body.title");
    expect422(await post({ title: 5, content: "c" }), "body.title");
    expect422(await post({ title: "t" }), "body.content");
    expect422(await post({ title: "t", content: "" }), "body.content");
    expect422(await post({ title: "t", content: "c", tags: "runbook" }), "body.tags");
    expect422(await post({ title: "t", content: "c", tags: [1] }), "body.tags");
    expect422(await post({ title: "t\u0000", content: "c" }), "body.title");
    expect422(await post([]), "body");
    const unknown = await post({ title: "t", content: "c", tags: [w.runbook.slug, "nope-1", "nope-2"] });
    expect422(unknown, "body.tags");
    expect(unknown.body.detail[0].msg).toBe("Tag slug(s) not found: ['nope-1', 'nope-2']");
    const foreign = await w.tag(w.cast.orgB.id);
    expect422(await post({ title: "t", content: "c", tags: [foreign.slug] }), "body.tags");
    const extra = await post({ title: "t", content: "c", is_pinned: true, id: "mine" });
    expect(extra.status).toBe(201);
    expect(extra.body.is_pinned).toBe(false);
    expect(extra.body.id).not.toBe("mine");
    const malformed = await send(w.t, "POST", url, "{nope", dev());
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toBe("Invalid JSON body");
  });
});

describe("JSON Patch", () => {
  test("title, content, is_pinned and tags; updated_by/updated_at set; the response is the full document", async () => {
    const d = await w.doc({ tags: [w.runbook.slug] });
    const sent = await send(w.t, "PATCH", `${w.projectDocs()}/${d.id}`, [
      { op: "replace", path: "/title", value: "New" },
      { op: "replace", path: "/content", value: "Body" },
      { op: "replace", path: "/is_pinned", value: true },
      { op: "add", path: "/tags/-", value: w.adr.slug },
    ], w.cast.adminA.headers);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      id: d.id, title: "New", content: "Body", is_pinned: true, created_by: w.cast.developerA.user.email, updated_by: w.cast.adminA.user.email,
      tags: [{ slug: w.adr.slug }, { slug: w.runbook.slug }],
    });
    expect(sent.body.updated_at).not.toBeNull();
    // the patchable tags are the slugs in response order (by name): /tags/0 is ADR
    const removed = await patch(d.id, [{ op: "remove", path: "/tags/0" }]);
    expect(removed.body.tags.map((t: { slug: string }) => t.slug)).toEqual([w.runbook.slug]);
    const cleared = await patch(d.id, [{ op: "replace", path: "/tags", value: [] }]);
    expect(cleared.body.tags).toEqual([]);
    expect((await get(`${w.org}/documents/${d.id}`)).body).toEqual(cleared.body);
  });

  test("edge cases: read-only and root paths 400, bad ops 400, failed test 422, null and wrong types 422, unknown tags 422", async () => {
    const d = await w.doc();
    for (const path of ["/id", "/project_id", "/attached_to", "/attached_to/kind", "/comment_count", "/created_by", "/created_by_name", "/created_at", "/updated_by", "/updated_at"]) {
      const sent = await patch(d.id, [{ op: "replace", path, value: "x" }]);
      expect({ path, status: sent.status }).toEqual({ path, status: 400 });
      expect(sent.body.detail).toMatch(/is read-only and cannot be patched$/);
    }
    expect((await patch(d.id, [{ op: "replace", path: "", value: {} }])).body.detail).toBe("Root path cannot be patched");
    expect((await patch(d.id, [{ op: "move", from: "/id", path: "/title" }])).status).toBe(400);
    expect((await patch(d.id, [{ op: "remove", path: "/nope" }])).status).toBe(400);
    expect((await patch(d.id, [{ op: "replace", path: "/title" }])).status).toBe(400);
    expect((await patch(d.id, [{ op: "copy", path: "/title" }])).status).toBe(400);
    const failed = await patch(d.id, [{ op: "test", path: "/title", value: "other" }, { op: "replace", path: "/title", value: "x" }]);
    expect(failed.status).toBe(422);
    expect(failed.body.detail[0].msg).toMatch(/^Patch test operation failed/);
    expect422(await patch(d.id, [{ op: "replace", path: "/title", value: null }]), "body.title");
    expect422(await patch(d.id, [{ op: "replace", path: "/content", value: null }]), "body.content");
    expect422(await patch(d.id, [{ op: "replace", path: "/is_pinned", value: "yes" }]), "body.is_pinned");
    expect422(await patch(d.id, [{ op: "replace", path: "/title", value: "" }]), "body.title");
    expect422(await patch(d.id, [{ op: "remove", path: "/title" }]), "body.title");
    expect422(await patch(d.id, [{ op: "add", path: "/extra", value: 1 }]), "body.extra");
    expect422(await patch(d.id, [{ op: "replace", path: "/tags", value: ["nope"] }]), "body.tags");
    expect422(await patch(d.id, [{ op: "replace", path: "/title", value: "a\u0000" }]), "body.title");
    expect422(await patch(d.id, [{ op: "frobnicate", path: "/title" }]));
    expect422(await patch(d.id, { op: "replace" }));
    // nothing above changed the document
    const after = await get(`${w.org}/documents/${d.id}`);
    expect(after.body).toMatchObject({ title: "Runbook", content: "# Steps", updated_at: null });
    const tested = await patch(d.id, [{ op: "test", path: "/title", value: "Runbook" }, { op: "test", path: "/tags", value: [] }]);
    expect(tested.status).toBe(200);
  });
});

describe("delete", () => {
  test("204 through the project or the organization, then 404; its tags' counts drop", async () => {
    const tag = await w.tag(w.cast.orgA.id);
    const a = await w.doc({ tags: [tag.slug] });
    const b = await w.doc({ tags: [tag.slug] });
    const counted = async () => (await get(`${w.org}/tags/${tag.slug}`)).body.relationships.documents;
    expect(await counted()).toEqual({ href: `${w.org}/tags/${tag.slug}/documents`, count: 2 });
    expect((await send(w.t, "DELETE", `${w.projectDocs()}/${a.id}`, undefined, dev())).status).toBe(204);
    expect((await send(w.t, "DELETE", `${w.org}/documents/${b.id}`, undefined, dev())).status).toBe(204);
    expect((await get(`${w.org}/documents/${a.id}`)).status).toBe(404);
    expect((await send(w.t, "DELETE", `${w.org}/documents/${b.id}`, undefined, dev())).status).toBe(404);
    expect((await counted()).count).toBe(0);
  });

  test("a tag labelling documents cannot be deleted (409 naming them); untagged, it can", async () => {
    const tag = await w.tag(w.cast.orgA.id);
    const d = await w.doc({ tags: [tag.slug] });
    const refused = await send(w.t, "DELETE", `${w.org}/tags/${tag.slug}`, undefined, w.cast.adminA.headers);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("documents");
    await patch(d.id, [{ op: "replace", path: "/tags", value: [] }]);
    expect((await send(w.t, "DELETE", `${w.org}/tags/${tag.slug}`, undefined, w.cast.adminA.headers)).status).toBe(204);
  });

  test("deleting the project deletes its documents", async () => {
    const project = (await w.create()).id;
    const d = await w.doc({}, `${w.projectDocs(project)}/`);
    const rows = await w.t.infra.sql<{ n: number }[]>`select count(*)::int as n from documents where id = ${d.id}`;
    expect(rows[0]!.n).toBe(1);
    await w.t.infra.sql`delete from projects where id = ${project}`;
    expect((await get(`${w.org}/documents/${d.id}`)).status).toBe(404);
  });
});

describe("lists and keyset pages", () => {
  test("newest first, {data} body, Link first/next, cursors walk every row once", async () => {
    const project = (await w.create()).id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await w.doc({ title: `D${i}` }, `${w.projectDocs(project)}/`)).id);
    const seen: string[] = [];
    let url = `${w.projectDocs(project)}/?limit=2`;
    for (let pageNo = 0; pageNo < 5; pageNo++) {
      const sent = await get(url);
      expect(sent.status).toBe(200);
      expect(Object.keys(sent.body)).toEqual(["data"]);
      seen.push(...sent.body.data.map((d: { id: string }) => d.id));
      const link = sent.headers.get("link")!;
      expect(link).toContain(`<http://localhost${w.projectDocs(project)}/?limit=2>; rel="first"`);
      const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
      if (!next) break;
      const cursor = new URL(next).searchParams.get("cursor")!;
      expect(cursor).not.toContain("=");
      expect(Buffer.from(cursor, "base64url").toString()).toMatch(/^\d{4}-\d\d-\d\dT.*Z\|[A-Za-z0-9_-]{21}$/);
      url = next.replace("http://localhost", "");
    }
    expect(seen).toEqual([...ids].reverse());
    const all = await get(`${w.projectDocs(project)}/`);
    expect(all.body.data).toHaveLength(5);
    expect(all.headers.get("link")).not.toContain('rel="next"');
  });

  test("organization index filters: tag, project_id, project_type, user; more than one anchor filter → 422", async () => {
    const project = (await w.create()).id;
    const tag = await w.tag(w.cast.orgA.id);
    const a = await w.doc({ tags: [tag.slug] }, `${w.projectDocs(project)}/`);
    const b = await w.doc({}, `${w.projectDocs(project)}/`);
    const typed = await w.doc({ tags: [tag.slug] }, `${w.org}/project-types/${w.catalog.worker.slug}/documents/`);
    const ids = async (query: string) => (await get(`${w.org}/documents/?${query}`)).body.data.map((d: { id: string }) => d.id);
    expect(await ids(`tag=${tag.slug}`)).toEqual([typed.id, a.id]);
    expect(await ids(`project_id=${project}`)).toEqual([b.id, a.id]);
    expect(await ids(`project_id=${project}&tag=${tag.slug}`)).toEqual([a.id]);
    expect(await ids(`project_type=${w.catalog.worker.slug}`)).toEqual([typed.id]);
    expect(await ids("project_id=nope")).toEqual([]);
    expect(await ids("tag=nope")).toEqual([]);
    expect((await ids("limit=500")).length).toBeGreaterThanOrEqual(3);
    expect(await ids(`tag=${tag.slug}`)).toEqual(await ids(`tag=${tag.slug}&limit=10`));
    const tagged = await get(`${w.projectDocs(project)}/?tag=${tag.slug}`);
    expect(tagged.body.data.map((d: { id: string }) => d.id)).toEqual([a.id]);
    expect422(await get(`${w.org}/documents/?project_id=${project}&user=x@example.com`), "query");
    // documents of another organization never show up
    const bDocs = await send(w.t, "GET", `/organizations/${w.cast.orgB.slug}/documents/`, undefined, w.cast.adminB.headers);
    expect(bDocs.body.data.map((d: { id: string }) => d.id)).not.toContain(a.id);
  });

  test("limit: out of 1..500 → 400, not an integer → 422; malformed cursors → 400 (src/http/pagination.ts)", async () => {
    for (const limit of ["0", "501", "-1"]) {
      const sent = await get(`${w.org}/documents/?limit=${limit}`);
      expect({ limit, status: sent.status, detail: sent.body.detail }).toEqual({ limit, status: 400, detail: "limit must be 1..500" });
    }
    for (const limit of ["abc", "2.5"]) expect422(await get(`${w.org}/documents/?limit=${limit}`), "query.limit");
    const bad = [
      "%%%", "bm90LWEtY3Vyc29y", Buffer.from("garbage|abc").toString("base64url"), Buffer.from("2026-01-01T00:00:00Z|").toString("base64url"),
    ];
    for (const cursor of bad) {
      const sent = await get(`${w.org}/documents/?cursor=${cursor}`);
      expect({ cursor, status: sent.status, detail: sent.body.detail }).toEqual({ cursor, status: 400, detail: "Invalid cursor" });
    }
    const naive = Buffer.from("2199-01-01T00:00:00|zzz").toString("base64url");
    expect((await get(`${w.org}/documents/?cursor=${naive}`)).status).toBe(200);
    expect((await get(`${w.projectDocs()}/?limit=0`)).status).toBe(400);
  });
});
