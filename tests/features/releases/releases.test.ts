/** /organizations/{org}/projects/{project_id}/releases: create, list, read, JSON Patch, delete (§11). */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { nextIdentity, useWorld } from "./fixtures.ts";

const w = useWorld();
const dev = () => w.cast.developerA.headers;
const post = (projectId: string, body: unknown) => send(w.t, "POST", `${w.releases(projectId)}/`, body, dev());
const patch = (projectId: string, id: string, ops: unknown) => send(w.t, "PATCH", `${w.releases(projectId)}/${id}`, ops, dev());

describe("POST /organizations/{org}/projects/{project_id}/releases/", () => {
  test("creates a release: 201 with its fields, created_by = the caller, version = the tag without v", async () => {
    const p = await w.project();
    const sent = await post(p, {
      tag: "v2.0.0-rc.1+build.5", committish: "abc1234", title: "Second", description: "## Notes",
      links: [{ type: "github", url: "https://github.com/acme/x/releases/v2", label: "GitHub" }],
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      project_id: p, tag: "v2.0.0-rc.1+build.5", committish: "abc1234", version: "2.0.0-rc.1+build.5", title: "Second",
      description: "## Notes", links: [{ type: "github", url: "https://github.com/acme/x/releases/v2", label: "GitHub" }],
      created_by: w.cast.developerA.user.email,
    });
    expect(sent.body.id).toHaveLength(21);
    expect(Date.parse(sent.body.created_at)).not.toBeNaN();
    const read = await send(w.t, "GET", `${w.releases(p)}/${sent.body.id}`, undefined, dev());
    expect(read.body).toEqual(sent.body);
  });

  test("tag, description and links are optional; created_by may be given", async () => {
    const p = await w.project();
    const sent = await post(p, { committish: "0123456789abcdef0123456789abcdef01234567", title: "Untagged", created_by: "ci-bot" });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ tag: null, version: null, description: null, links: [], created_by: "ci-bot" });
  });

  test("the same (committish, tag) twice in a project → 409; another project or tag is fine", async () => {
    const [p, q] = [await w.project(), await w.project()];
    const body = { committish: "abc1234", tag: "1.0.0", title: "One" };
    expect((await post(p, body)).status).toBe(201);
    const clash = await post(p, body);
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toBe(`Release committish='abc1234' tag='1.0.0' already exists for project '${p}'`);
    expect((await post(q, body)).status).toBe(201);
    expect((await post(p, { ...body, tag: "1.0.1" })).status).toBe(201);
  });

  test("two untagged releases of one commit clash too", async () => {
    const p = await w.project();
    expect((await post(p, { committish: "fff0000", title: "a" })).status).toBe(201);
    const clash = await post(p, { committish: "fff0000", title: "b", tag: null });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain("tag=null");
  });

  test("unknown project or organization → 404", async () => {
    expect((await post("nope", { committish: "abc1234", title: "x" })).status).toBe(404);
    const sent = await send(w.t, "POST", "/organizations/no-such-org/projects/x/releases/", { committish: "abc1234", title: "x" }, w.cast.system.headers);
    expect(sent.status).toBe(404);
  });

  test.each([
    ["committish missing", { title: "x" }, "committish"],
    ["committish too short", { committish: "abc12", title: "x" }, "committish"],
    ["committish upper case", { committish: "ABC1234", title: "x" }, "committish"],
    ["committish not hex", { committish: "xyz1234", title: "x" }, "committish"],
    ["committish 41 chars", { committish: "a".repeat(41), title: "x" }, "committish"],
    ["title missing", { committish: "abc1234" }, "title"],
    ["title empty", { committish: "abc1234", title: "" }, "title"],
    ["title a number", { committish: "abc1234", title: 5 }, "title"],
    ["tag empty", { committish: "abc1234", title: "x", tag: "" }, "tag"],
    ["tag not semver", { committish: "abc1234", title: "x", tag: "release-1" }, "tag"],
    ["tag two parts", { committish: "abc1234", title: "x", tag: "1.2" }, "tag"],
    ["tag leading zero", { committish: "abc1234", title: "x", tag: "01.2.3" }, "tag"],
    ["tag double v", { committish: "abc1234", title: "x", tag: "vv1.2.3" }, "tag"],
    ["tag with space", { committish: "abc1234", title: "x", tag: " 1.2.3" }, "tag"],
    ["tag a number", { committish: "abc1234", title: "x", tag: 1 }, "tag"],
    ["description a list", { committish: "abc1234", title: "x", description: ["a"] }, "description"],
    ["links an object", { committish: "abc1234", title: "x", links: { a: "https://x.io" } }, "links"],
    ["link without url", { committish: "abc1234", title: "x", links: [{ type: "a" }] }, "links"],
    ["link url not http", { committish: "abc1234", title: "x", links: [{ type: "a", url: "ftp://x.io" }] }, "links"],
    ["link url not a URL", { committish: "abc1234", title: "x", links: [{ type: "a", url: "nope" }] }, "links"],
    ["link extra key", { committish: "abc1234", title: "x", links: [{ type: "a", url: "https://x.io", extra: 1 }] }, "links"],
    ["created_by empty", { committish: "abc1234", title: "x", created_by: "" }, "created_by"],
    ["an extra key", { committish: "abc1234", title: "x", version: "1.0.0" }, "version"],
    ["title with NUL", { committish: "abc1234", title: "a\u0000b" }, "title"],
    ["description with a lone surrogate", { committish: "abc1234", title: "x", description: "\udc00" }, "description"],
    ["an array body", [{ committish: "abc1234" }], "body"],
    ["a string body", "\"x\"", "body"],
  ])("%s → 422", async (_case, body, field) => {
    const p = await w.project();
    expect422(await post(p, body), field);
  });

  test("a tag outside the format names the setting's format", async () => {
    const p = await w.project();
    const sent = await post(p, { committish: "abc1234", title: "x", tag: "abc1234" });
    expect422(sent, "tag");
    expect(sent.body.detail[0].msg).toContain("IMBI_RELEASES_VERSION_FORMAT=semver");
  });

  test("malformed JSON → 400", async () => {
    const p = await w.project();
    const sent = await post(p, "{nope");
    expect(sent.status).toBe(400);
  });
});

describe("GET /organizations/{org}/projects/{project_id}/releases/", () => {
  test("newest first, only the project's, exact committish / tag filters", async () => {
    const [p, q] = [await w.project(), await w.project()];
    const a = await w.release(p, { committish: "aaaaaaa", tag: "1.0.0" });
    const b = await w.release(p, { committish: "bbbbbbb", tag: "1.1.0" });
    const c = await w.release(p, { committish: "aaaaaaa", tag: "1.0.1" });
    await w.release(q);
    const list = await send(w.t, "GET", `${w.releases(p)}/`, undefined, dev());
    expect(list.status).toBe(200);
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([c.id, b.id, a.id]);
    const noSlash = await send(w.t, "GET", w.releases(p), undefined, dev());
    expect(noSlash.body).toEqual(list.body);
    const byCommit = await send(w.t, "GET", `${w.releases(p)}/?committish=aaaaaaa`, undefined, dev());
    expect(byCommit.body.map((r: { id: string }) => r.id)).toEqual([c.id, a.id]);
    const byTag = await send(w.t, "GET", `${w.releases(p)}/?tag=1.1.0&committish=bbbbbbb`, undefined, dev());
    expect(byTag.body.map((r: { id: string }) => r.id)).toEqual([b.id]);
    expect((await send(w.t, "GET", `${w.releases(p)}/?tag=9.9.9`, undefined, dev())).body).toEqual([]);
    expect((await send(w.t, "GET", `${w.releases(p)}/?tag=%00`, undefined, dev())).body).toEqual([]);
  });

  test("a readonly member may read; unknown project → 404", async () => {
    const p = await w.project();
    await w.release(p);
    expect((await send(w.t, "GET", `${w.releases(p)}/`, undefined, w.cast.readonlyA.headers)).body).toHaveLength(1);
    expect((await send(w.t, "GET", `${w.releases("missing")}/`, undefined, dev())).status).toBe(404);
  });
});

describe("GET /organizations/{org}/projects/{project_id}/releases/{release_id}", () => {
  test("another project's release → 404 naming release and project", async () => {
    const [p, q] = [await w.project(), await w.project()];
    const r = await w.release(q);
    const sent = await send(w.t, "GET", `${w.releases(p)}/${r.id}`, undefined, dev());
    expect(sent.status).toBe(404);
    expect(sent.body.detail).toBe(`Release '${r.id}' for project '${p}' not found`);
    expect((await send(w.t, "GET", `${w.releases(p)}/%00`, undefined, dev())).status).toBe(404);
  });
});

describe("PATCH /organizations/{org}/projects/{project_id}/releases/{release_id}", () => {
  test("replaces title, description, links and tag; version follows the tag", async () => {
    const p = await w.project();
    const r = await w.release(p, { tag: "1.0.0", description: "old" });
    const sent = await patch(p, r.id, [
      { op: "replace", path: "/title", value: "Renamed" },
      { op: "remove", path: "/description" },
      { op: "add", path: "/links/-", value: { type: "docs", url: "https://docs.example.com" } },
      { op: "replace", path: "/tag", value: "v1.0.1" },
    ]);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ title: "Renamed", description: null, tag: "v1.0.1", version: "1.0.1", links: [{ type: "docs", url: "https://docs.example.com" }] });
    expect(Date.parse(sent.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(r.updated_at));
    expect((await send(w.t, "GET", `${w.releases(p)}/${r.id}`, undefined, dev())).body).toEqual(sent.body);
  });

  test("removing the tag leaves an untagged release", async () => {
    const p = await w.project();
    const r = await w.release(p);
    const sent = await patch(p, r.id, [{ op: "remove", path: "/tag" }]);
    expect(sent.body).toMatchObject({ tag: null, version: null });
  });

  test("a passing test op applies; a failing one → 422 and nothing changes", async () => {
    const p = await w.project();
    const r = await w.release(p, { title: "T" });
    expect((await patch(p, r.id, [{ op: "test", path: "/title", value: "T" }, { op: "replace", path: "/title", value: "U" }])).body.title).toBe("U");
    const failed = await patch(p, r.id, [{ op: "test", path: "/title", value: "T" }, { op: "replace", path: "/title", value: "V" }]);
    expect(failed.status).toBe(422);
    expect((await send(w.t, "GET", `${w.releases(p)}/${r.id}`, undefined, dev())).body.title).toBe("U");
  });

  test("a new (committish, tag) that collides → 409", async () => {
    const p = await w.project();
    await w.release(p, { committish: "ccccccc", tag: "2.0.0" });
    const r = await w.release(p, { committish: "ccccccc", tag: "2.0.1" });
    const sent = await patch(p, r.id, [{ op: "replace", path: "/tag", value: "2.0.0" }]);
    expect(sent.status).toBe(409);
    expect(sent.body.detail).toContain("committish='ccccccc' tag='2.0.0'");
  });

  test("an empty patch changes nothing", async () => {
    const p = await w.project();
    const r = await w.release(p);
    const sent = await patch(p, r.id, []);
    expect(sent.status).toBe(200);
    expect(sent.body.title).toBe(r.title);
  });

  test.each([["/id"], ["/committish"], ["/project_id"], ["/created_at"], ["/updated_at"], ["/created_by"], ["/version"]])(
    "read-only %s → 400",
    async (path) => {
      const p = await w.project();
      const r = await w.release(p);
      const sent = await patch(p, r.id, [{ op: "replace", path, value: "x" }]);
      expect(sent.status).toBe(400);
      expect(sent.body.detail).toContain("read-only");
    },
  );

  test.each([
    ["the root", [{ op: "replace", path: "", value: {} }], 400],
    ["a missing path", [{ op: "replace", path: "/nope/deeper", value: 1 }], 400],
    ["replace without value", [{ op: "replace", path: "/title" }], 400],
    ["move without from", [{ op: "move", path: "/title" }], 400],
    ["an unknown op", [{ op: "merge", path: "/title", value: "x" }], 422],
    ["not an array", { op: "replace", path: "/title", value: "x" }, 422],
    ["an unknown field", [{ op: "add", path: "/color", value: "red" }], 422],
    ["title removed", [{ op: "remove", path: "/title" }], 422],
    ["title null", [{ op: "replace", path: "/title", value: null }], 422],
    ["tag not semver", [{ op: "replace", path: "/tag", value: "latest" }], 422],
    ["a link url not http", [{ op: "add", path: "/links/-", value: { type: "a", url: "javascript:alert(1)" } }], 422],
    ["links a string", [{ op: "replace", path: "/links", value: "x" }], 422],
    ["title with NUL", [{ op: "replace", path: "/title", value: "a\u0000" }], 422],
  ])("%s → %d", async (_case, ops, status) => {
    const p = await w.project();
    const r = await w.release(p);
    const sent = await patch(p, r.id, ops);
    expect(sent.status).toBe(status);
    if (status === 422) expect(Array.isArray(sent.body.detail)).toBe(true);
  });

  test("unknown release → 404", async () => {
    const p = await w.project();
    expect((await patch(p, "missing", [{ op: "replace", path: "/title", value: "x" }])).status).toBe(404);
  });
});

describe("DELETE /organizations/{org}/projects/{project_id}/releases/{release_id}", () => {
  test("a release without deployments → 204, then 404", async () => {
    const p = await w.project();
    const r = await w.release(p);
    const sent = await send(w.t, "DELETE", `${w.releases(p)}/${r.id}`, undefined, dev());
    expect(sent.status).toBe(204);
    expect((await send(w.t, "GET", `${w.releases(p)}/${r.id}`, undefined, dev())).status).toBe(404);
    expect((await send(w.t, "DELETE", `${w.releases(p)}/${r.id}`, undefined, dev())).status).toBe(404);
  });

  test("a release with deployment history → 409, kept", async () => {
    const p = await w.project();
    const r = await w.release(p);
    expect((await w.deploy(p, r.id, w.catalog.staging.slug, { status: "failed" })).status).toBe(200);
    const sent = await send(w.t, "DELETE", `${w.releases(p)}/${r.id}`, undefined, dev());
    expect(sent.status).toBe(409);
    expect(sent.body.detail).toContain("1 deployment event(s)");
    expect((await send(w.t, "GET", `${w.releases(p)}/${r.id}`, undefined, dev())).status).toBe(200);
  });

  test("deleting the project deletes its releases and their history", async () => {
    const p = await w.project();
    const r = await w.release(p, nextIdentity());
    await w.deploy(p, r.id, w.catalog.production.slug);
    const gone = await send(w.t, "DELETE", `${w.base}/${p}`, undefined, w.cast.adminA.headers);
    expect(gone.status).toBe(200);
    const [row] = await w.t.infra.sql<{ n: number }[]>`select (select count(*) from releases where id = ${r.id})::int
      + (select count(*) from release_deployments where release_id = ${r.id})::int as n`;
    expect(row!.n).toBe(0);
  });
});
