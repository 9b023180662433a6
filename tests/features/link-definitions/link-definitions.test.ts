/** Link definitions beyond the shared suite: url_template, the project count from projects.links keys. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, insertProject, insertTeam, send, type Cast } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const base = () => `/organizations/${cast.orgA.slug}/link-definitions`;
const get = async (slug: string) => (await send(t, "GET", `${base()}/${slug}`, undefined, cast.adminA.headers)).body;

describe("link definitions", () => {
  test("url_template is stored as given and can be cleared", async () => {
    const template = "https://github.com/{org}/{project}?q=a&b={{x}}";
    const created = await send(t, "POST", `${base()}/`, { name: "GitHub", slug: "github", url_template: template, icon: "fa-github" }, cast.adminA.headers);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url_template: template, icon: "fa-github" });
    const cleared = await send(t, "PATCH", `${base()}/github`, [{ op: "replace", path: "/url_template", value: null }], cast.adminA.headers);
    expect(cleared.body.url_template).toBeNull();
  });

  test("projects counts the organization's projects whose links have the slug as a key; the href is empty", async () => {
    await send(t, "POST", `${base()}/`, { name: "Sentry", slug: "sentry" }, cast.adminA.headers);
    const team = await insertTeam(t, cast.orgA.id);
    const teamB = await insertTeam(t, cast.orgB.id);
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id, links: { sentry: "https://sentry.io/a" } });
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id, links: { sentry: "https://sentry.io/b", github: "https://github.com/b" } });
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id, links: { "sentry-old": "https://x", other: "sentry" } });
    await insertProject(t, { orgId: cast.orgB.id, teamId: teamB.id, links: { sentry: "https://sentry.io/theirs" } });
    expect((await get("sentry")).relationships).toEqual({ projects: { href: "", count: 2 } });
    const listed = await send(t, "GET", `${base()}/`, undefined, cast.readonlyA.headers);
    expect(listed.body.find((d: { slug: string }) => d.slug === "sentry").relationships.projects.count).toBe(2);
    // The count follows the slug: after a rename no project links use the new key.
    const renamed = await send(t, "PATCH", `${base()}/sentry`, [{ op: "replace", path: "/slug", value: "sentry-new" }], cast.adminA.headers);
    expect(renamed.body.relationships.projects).toEqual({ href: "", count: 0 });
  });

  test("a link definition used by projects can be deleted (links are free-form; nothing is orphaned)", async () => {
    await send(t, "POST", `${base()}/`, { name: "Docs", slug: "docs" }, cast.adminA.headers);
    const team = await insertTeam(t, cast.orgA.id);
    const project = await insertProject(t, { orgId: cast.orgA.id, teamId: team.id, links: { docs: "https://docs" } });
    expect((await get("docs")).relationships.projects.count).toBe(1);
    expect((await send(t, "DELETE", `${base()}/docs`, undefined, cast.adminA.headers)).status).toBe(204);
    const [row] = await t.infra.sql`select links from projects where id = ${project}`;
    expect(row!.links).toEqual({ docs: "https://docs" });
  });

  test("list is ordered by name", async () => {
    for (const [name, slug] of [["Zed", "zed"], ["Alpha", "alpha"]]) await send(t, "POST", `${base()}/`, { name, slug }, cast.adminA.headers);
    const names: string[] = (await send(t, "GET", `${base()}/`, undefined, cast.adminA.headers)).body.map((x: { name: string }) => x.name);
    expect(names.indexOf("Alpha")).toBeLessThan(names.indexOf("Zed"));
    expect([...names].sort()).toEqual(names);
  });
});
