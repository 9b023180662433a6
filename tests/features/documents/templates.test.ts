/**
 * Document templates (reference-domain §12.3): CRUD by slug, PUT and JSON Patch, list filters,
 * 401/403 in the path's org (D2), 404, 409 on slug clashes, 422 per malformed field.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { expect422, send as sendAny, type Method } from "../../helpers/catalog.ts";
import { slugOf } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
/** The shared helper's Method has no PUT; templates need it. */
type Verb = Method | "PUT";
const send = (t: Parameters<typeof sendAny>[0], method: Verb, path: string, body?: unknown, headers?: Record<string, string>) =>
  sendAny(t, method as Method, path, body, headers);
let base: string;
beforeAll(() => { base = `${w.org}/document-templates`; });
const admin = () => w.cast.adminA.headers;
const post = (body: unknown) => send(w.t, "POST", `${base}/`, body, admin());
async function template(overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const slug = slugOf("tpl");
  const sent = await post({ name: `Template ${slug}`, slug, ...overrides });
  expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
  return sent.body;
}

describe("document templates", () => {
  test("create with defaults, read, id = slug, organization and tags in the response", async () => {
    const t = await template({ tags: [w.runbook.slug], title: "Runbook for …", content: "## Steps" });
    expect(t).toMatchObject({
      id: t.slug, description: null, icon: null, title: "Runbook for …", content: "## Steps", type: "project",
      tags: [{ name: "Runbook", slug: w.runbook.slug }], project_type_slugs: [], sort_order: 0, updated_at: null,
      organization: { slug: w.cast.orgA.slug },
    });
    const read = await send(w.t, "GET", `${base}/${t.slug}`, undefined, w.cast.readonlyA.headers);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(t);
  });

  test("409 on a taken slug (per organization: another org may reuse it)", async () => {
    const t = await template();
    const clash = await post({ name: "Again", slug: t.slug });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toBe(`Document template with slug '${t.slug}' already exists`);
    const other = await send(w.t, "POST", `/organizations/${w.cast.orgB.slug}/document-templates/`, { name: "B", slug: t.slug }, w.cast.adminB.headers);
    expect(other.status).toBe(201);
    const u = await template();
    const renamed = await send(w.t, "PATCH", `${base}/${u.slug}`, [{ op: "replace", path: "/slug", value: t.slug }], admin());
    expect(renamed.status).toBe(409);
    expect((await send(w.t, "PUT", `${base}/${u.slug}`, { slug: t.slug }, admin())).status).toBe(409);
  });

  test("422 per malformed field; unknown tags", async () => {
    expect422(await post({ slug: "abc" }), "body.name");
    expect422(await post({ name: "", slug: "abc" }), "body.name");
    expect422(await post({ name: "n" }), "body.slug");
    expect422(await post({ name: "n", slug: "Bad Slug" }), "body.slug");
    expect422(await post({ name: "n", slug: slugOf("s"), type: "team" }), "body.type");
    expect422(await post({ name: "n", slug: slugOf("s"), sort_order: 1.5 }), "body.sort_order");
    expect422(await post({ name: "n", slug: slugOf("s"), project_type_slugs: "x" }), "body.project_type_slugs");
    expect422(await post({ name: "n", slug: slugOf("s"), content: 5 }), "body.content");
    const unknown = await post({ name: "n", slug: slugOf("s"), tags: ["nope"] });
    expect422(unknown, "body.tags");
    expect(unknown.body.detail[0].msg).toBe("Tag slug(s) not found: ['nope']");
  });

  test("PUT replaces only the fields given; tags replace the set; a slug change keeps the id", async () => {
    const t = await template({ tags: [w.runbook.slug], sort_order: 3 });
    const slug = slugOf("renamed");
    const put = await send(w.t, "PUT", `${base}/${t.slug}`, { slug, tags: [w.adr.slug], description: "d" }, admin());
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: t.id, slug, name: t.name, sort_order: 3, description: "d", tags: [{ slug: w.adr.slug }] });
    expect(put.body.updated_at).not.toBeNull();
    expect((await send(w.t, "GET", `${base}/${t.slug}`, undefined, admin())).status).toBe(404);
    expect((await send(w.t, "GET", `${base}/${slug}`, undefined, admin())).body.id).toBe(t.id);
    expect422(await send(w.t, "PUT", `${base}/${slug}`, { type: "nope" }, admin()), "body.type");
  });

  test("JSON Patch and its edge cases", async () => {
    const t = await template();
    const url = `${base}/${t.slug}`;
    const patch = (ops: unknown) => send(w.t, "PATCH", url, ops, admin());
    const ok = await patch([{ op: "replace", path: "/type", value: "global" }, { op: "add", path: "/project_type_slugs/-", value: "api" }, { op: "add", path: "/tags/-", value: w.runbook.slug }]);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ type: "global", project_type_slugs: ["api"], tags: [{ slug: w.runbook.slug }] });
    for (const path of ["/id", "/organization", "/organization/slug", "/created_at", "/updated_at"]) {
      expect((await patch([{ op: "replace", path, value: "x" }])).status).toBe(400);
    }
    expect((await patch([{ op: "remove", path: "/nope" }])).status).toBe(400);
    expect((await patch([{ op: "test", path: "/type", value: "user" }])).status).toBe(422);
    expect422(await patch([{ op: "replace", path: "/name", value: null }]), "body.name");
    expect422(await patch([{ op: "add", path: "/extra", value: 1 }]), "body.extra");
    expect422(await patch([{ op: "replace", path: "/tags", value: ["nope"] }]), "body.tags");
    expect422(await patch([{ op: "replace", path: "/slug", value: "UPPER" }]), "body.slug");
    expect422(await patch([{ op: "nope", path: "/name" }]));
  });

  test("list: by sort_order then name; project_type and context filters", async () => {
    const { orgA } = w.cast;
    const org = `/organizations/${orgA.slug}`;
    // a fresh org would be cleaner; filter on this test's own slugs instead
    const a = await template({ name: "B", sort_order: -100, type: "project", project_type_slugs: ["api"] });
    const b = await template({ name: "A", sort_order: -100, type: "global" });
    const c = await template({ name: "C", sort_order: -99, type: "user", project_type_slugs: ["worker"] });
    const mine = new Set([a.slug, b.slug, c.slug]);
    const slugs = async (query = "") => (await send(w.t, "GET", `${org}/document-templates/${query}`, undefined, w.cast.readonlyA.headers))
      .body.filter((x: { slug: string }) => mine.has(x.slug)).map((x: { slug: string }) => x.slug);
    expect(await slugs()).toEqual([b.slug, a.slug, c.slug]);
    expect(await slugs("?project_type=api")).toEqual([b.slug, a.slug]);
    expect(await slugs("?context=user")).toEqual([b.slug, c.slug]);
    expect(await slugs("?context=project&project_type=worker")).toEqual([b.slug]);
    expect422(await send(w.t, "GET", `${org}/document-templates/?context=team`, undefined, admin()), "query.context");
  });

  test("delete: 204 then 404; a tag labelling a template cannot be deleted (409)", async () => {
    const tag = await w.tag(w.cast.orgA.id);
    const t = await template({ tags: [tag.slug] });
    const refused = await send(w.t, "DELETE", `${w.org}/tags/${tag.slug}`, undefined, admin());
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain("document templates");
    expect((await send(w.t, "DELETE", `${base}/${t.slug}`, undefined, admin())).status).toBe(204);
    expect((await send(w.t, "DELETE", `${base}/${t.slug}`, undefined, admin())).status).toBe(404);
    expect((await send(w.t, "GET", `${base}/nope`, undefined, admin())).status).toBe(404);
    expect((await send(w.t, "PATCH", `${base}/nope`, [{ op: "replace", path: "/name", value: "x" }], admin())).status).toBe(404);
    expect((await send(w.t, "PUT", `${base}/nope`, { name: "x" }, admin())).status).toBe(404);
    expect((await send(w.t, "DELETE", `${w.org}/tags/${tag.slug}`, undefined, admin())).status).toBe(204);
  });
});

describe("document templates: authentication and organization-scoped permissions", () => {
  let paths: Record<string, string>;
  beforeAll(async () => {
    const t = await template();
    paths = { collection: `${base}/`, item: `${base}/${t.slug}` };
  });
  const ROUTES: [Verb, string, unknown, boolean][] = [
    ["POST", "collection", { name: "n", slug: "zz-never" }, true],
    ["GET", "collection", undefined, false],
    ["GET", "item", undefined, false],
    ["PUT", "item", { name: "y" }, true],
    ["PATCH", "item", [{ op: "replace", path: "/name", value: "z" }], true],
    ["DELETE", "item", undefined, true],
  ];
  test.each(ROUTES)("%s %s: 401 without credentials, 403 for org B's admin, readonly 403 on writes", async (method, key, body, write) => {
    expect((await send(w.t, method, paths[key]!, body)).status).toBe(401);
    expect((await send(w.t, method, paths[key]!, body, w.cast.adminB.headers)).status).toBe(403);
    const ro = await send(w.t, method, paths[key]!, body, w.cast.readonlyA.headers);
    expect(ro.status).toBe(write ? 403 : 200);
    // the developer role holds document_template:read only
    const dev = await send(w.t, method, paths[key]!, body, w.cast.developerA.headers);
    expect(dev.status).toBe(write ? 403 : 200);
  });
});
