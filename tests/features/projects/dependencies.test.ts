/**
 * GET /organizations/{org}/projects/{project_id}/dependencies?depth=N: the transitive
 * DEPENDS_ON walk (recursive CTE), cycle-safe, each project at its shortest distance.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { insertBareProject, insertDependency, type Ref } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const walk = (id: string, query = "", headers = w.cast.readonlyA.headers) => send(w.t, "GET", `${w.base}/${id}/dependencies${query}`, undefined, headers);

/**
 *   root → a → b → c → root   (a cycle through the root)
 *   root → d → b              (b is reachable at depth 2 twice: listed once)
 *   c → e → f                 (beyond depth 3)
 *   b → b2 ⇄ b3               (a cycle not through the root)
 */
const g = {} as Record<"root" | "a" | "b" | "c" | "d" | "e" | "f" | "b2" | "b3", Ref>;

beforeAll(async () => {
  const team = w.catalog.team.id;
  const type = w.catalog.api.id;
  for (const name of ["root", "a", "b", "c", "d", "e", "f", "b2", "b3"] as const) {
    g[name] = await insertBareProject(w.t, w.cast.orgA.id, team, type, name);
  }
  const edges: [keyof typeof g, keyof typeof g][] = [
    ["root", "a"], ["a", "b"], ["b", "c"], ["c", "root"], ["root", "d"], ["d", "b"], ["c", "e"], ["e", "f"], ["b", "b2"], ["b2", "b3"], ["b3", "b2"],
  ];
  for (const [from, to] of edges) await insertDependency(w.t, g[from].id, g[to].id);
});

const summary = (body: { dependencies: { slug: string; depth: number }[] }) =>
  body.dependencies.map((node) => `${Object.entries(g).find(([, ref]) => ref.slug === node.slug)![0]}@${node.depth}`);

describe("GET /organizations/{org}/projects/{project_id}/dependencies", () => {
  test("three levels deep through a cycle: every project once, at its shortest distance, with its edges", async () => {
    const sent = await walk(g.root.id, "?depth=3");
    expect(sent.status).toBe(200);
    expect(sent.body.project).toEqual({ id: g.root.id, name: "root", slug: g.root.slug });
    expect(sent.body.depth).toBe(3);
    expect(summary(sent.body)).toEqual(["a@1", "d@1", "b@2", "b2@3", "c@3"]);
    const c = sent.body.dependencies.find((n: { id: string }) => n.id === g.c.id);
    // c's edge back to the root is shown; its edge to e (depth 4) is beyond the limit
    expect(c).toEqual({ id: g.c.id, name: "c", slug: g.c.slug, archived: false, depth: 3, depends_on: [g.root.id] });
    const b = sent.body.dependencies.find((n: { id: string }) => n.id === g.b.id);
    expect(b.depends_on.sort()).toEqual([g.b2.id, g.c.id].sort());
    expect(sent.body.truncated).toBe(true);
  });

  test("deep enough, the whole graph: the walk terminates around both cycles", async () => {
    const sent = await walk(g.root.id, "?depth=10");
    expect(summary(sent.body)).toEqual(["a@1", "d@1", "b@2", "b2@3", "c@3", "b3@4", "e@4", "f@5"]);
    expect(sent.body.truncated).toBe(false);
    const b3 = sent.body.dependencies.find((n: { id: string }) => n.id === g.b3.id);
    expect(b3.depends_on).toEqual([g.b2.id]);
  });

  test("depth=1 is the direct dependencies; the default depth is 3", async () => {
    expect(summary((await walk(g.root.id, "?depth=1")).body)).toEqual(["a@1", "d@1"]);
    const byDefault = await walk(g.root.id);
    expect(byDefault.body.depth).toBe(3);
    expect(summary(byDefault.body)).toEqual(["a@1", "d@1", "b@2", "b2@3", "c@3"]);
  });

  test("from the middle of a cycle; a project without dependencies → empty", async () => {
    expect(summary((await walk(g.b2.id, "?depth=10")).body)).toEqual(["b3@1"]);
    const leaf = await walk(g.f.id);
    expect(leaf.body).toMatchObject({ dependencies: [], truncated: false });
  });

  test("archived dependencies are listed with archived=true", async () => {
    await w.t.infra.sql`update projects set archived = true, archived_at = now() where id = ${g.f.id}`;
    const sent = await walk(g.e.id, "?depth=1");
    expect(sent.body.dependencies).toEqual([expect.objectContaining({ id: g.f.id, archived: true })]);
    await w.t.infra.sql`update projects set archived = false, archived_at = null where id = ${g.f.id}`;
  });

  test("relationships added over HTTP are walked", async () => {
    const [x, y, z] = [await w.create({ name: "x" }), await w.create({ name: "y" }), await w.create({ name: "z" })];
    await send(w.t, "POST", `${w.base}/${x.id}/relationships/${y.id}`, undefined, w.cast.developerA.headers);
    await send(w.t, "POST", `${w.base}/${y.id}/relationships/${z.id}`, undefined, w.cast.developerA.headers);
    const sent = await walk(x.id, "?depth=2");
    expect(sent.body.dependencies.map((n: { name: string; depth: number }) => `${n.name}@${n.depth}`)).toEqual(["y@1", "z@2"]);
  });

  test.each([["0"], ["11"], ["-1"], ["two"], ["1.5"], [""], ["9999999999"]])("depth=%s → 422 at query.depth", async (depth) => {
    const sent = await walk(g.root.id, `?depth=${depth}`);
    expect(sent.status).toBe(422);
    expect(sent.body.detail[0].loc).toEqual(["query", "depth"]);
  });

  test("unknown project → 404; 401; 403 for another organization's member", async () => {
    expect((await walk("ghost")).status).toBe(404);
    expect((await walk(g.root.id, "", {})).status).toBe(401);
    expect((await walk(g.root.id, "", w.cast.adminB.headers)).status).toBe(403);
  });
});
