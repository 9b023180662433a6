/** Teams beyond the shared suite: relationship counts and the delete rule. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, insertProject, randomSlug, send, type Cast } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
});
afterAll(() => t.close());

const teams = () => `/organizations/${cast.orgA.slug}/teams`;
const createTeam = async (name = "Team") => (await send(t, "POST", `${teams()}/`, { name, slug: randomSlug("team") }, cast.adminA.headers)).body;

describe("team relationships", () => {
  test("projects counts the projects the team owns; members counts its members", async () => {
    const team = await createTeam();
    const other = await createTeam();
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id });
    await insertProject(t, { orgId: cast.orgA.id, teamId: team.id });
    await insertProject(t, { orgId: cast.orgA.id, teamId: other.id });
    for (const email of [cast.developerA.user.email, cast.readonlyA.user.email]) {
      expect((await send(t, "POST", `${teams()}/${team.slug}/members`, { email }, cast.adminA.headers)).status).toBe(201);
    }
    const fetched = await send(t, "GET", `${teams()}/${team.slug}`, undefined, cast.readonlyA.headers);
    expect(fetched.body.relationships).toEqual({
      projects: { href: `/organizations/${cast.orgA.slug}/projects?team=${team.slug}`, count: 2 },
      members: { href: `/organizations/${cast.orgA.slug}/teams/${team.slug}/members`, count: 2 },
    });
    const listed = await send(t, "GET", `${teams()}/`, undefined, cast.readonlyA.headers);
    expect(listed.body.find((x: { slug: string }) => x.slug === other.slug).relationships.projects.count).toBe(1);
  });

  test("list is ordered by name", async () => {
    for (const name of ["mmm", "aaa", "zzz"]) await createTeam(name);
    const names: string[] = (await send(t, "GET", `${teams()}/`, undefined, cast.adminA.headers)).body.map((x: { name: string }) => x.name);
    expect(names.filter((n) => ["mmm", "aaa", "zzz"].includes(n))).toEqual(["aaa", "mmm", "zzz"]);
  });
});

describe("DELETE /organizations/{org_slug}/teams/{slug}", () => {
  test("409 naming the number of projects it owns; the team and its projects stay", async () => {
    const team = await createTeam();
    const projects = [await insertProject(t, { orgId: cast.orgA.id, teamId: team.id }), await insertProject(t, { orgId: cast.orgA.id, teamId: team.id })];
    const refused = await send(t, "DELETE", `${teams()}/${team.slug}`, undefined, cast.adminA.headers);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: `Team '${team.slug}' still has 2 projects; remove or move them first` });
    expect(await t.infra.sql`select id from projects where id in ${t.infra.sql(projects)}`).toHaveLength(2);
  });

  test("a team with members but no projects is deleted with its memberships; the users stay", async () => {
    const team = await createTeam();
    await send(t, "POST", `${teams()}/${team.slug}/members`, { email: cast.developerA.user.email }, cast.adminA.headers);
    expect((await send(t, "DELETE", `${teams()}/${team.slug}`, undefined, cast.adminA.headers)).status).toBe(204);
    expect(await t.infra.sql`select 1 from team_members where team_id = ${team.id}`).toHaveLength(0);
    expect(await t.infra.sql`select 1 from users where id = ${cast.developerA.user.id}`).toHaveLength(1);
  });
});
