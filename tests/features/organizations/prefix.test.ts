/** With IMBI_API_URL's path /api, catalog routes live under /api and every relationship href starts with it. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { insertProject, send } from "../../helpers/catalog.ts";
import { bearer, createOrg, createUser } from "../../helpers/identity.ts";

let t: TestApp;
let headers: Record<string, string>;
let org: { id: string; slug: string };
beforeAll(async () => {
  t = await startTestApp({ IMBI_API_URL: "https://imbi.example.com/api" });
  org = await createOrg(t);
  const user = await createUser(t, { org, role: "admin" });
  const login = await send(t, "POST", "/api/auth/login", { email: user.email, password: user.password });
  headers = bearer(login.body.access_token);
});
afterAll(() => t.close());

const hrefs = (body: { relationships: Record<string, { href: string }> }) => Object.values(body.relationships).map((r) => r.href);

describe("relationship hrefs under IMBI_API_URL=/api", () => {
  test("organization hrefs", async () => {
    const response = await send(t, "GET", `/api/organizations/${org.slug}`, undefined, headers);
    expect(response.status).toBe(200);
    expect(response.body.relationships).toMatchObject({
      teams: { href: `/api/organizations/${org.slug}/teams` },
      members: { href: `/api/organizations/${org.slug}/members` },
      projects: { href: `/api/organizations/${org.slug}/projects` },
    });
    expect((await send(t, "GET", "/api/organizations/", undefined, headers)).body.flatMap(hrefs).every((h: string) => h.startsWith("/api/"))).toBe(true);
  });

  test.each([
    ["teams", { projects: "/projects?team=s", members: "/teams/s/members" }],
    ["environments", { projects: "/projects?environment=s" }],
    ["project-types", { projects: "/projects?project_type=s" }],
    ["tags", { documents: "/tags/s/documents" }],
  ])("%s hrefs start with /api, on create, get, list and after a slug change", async (segment, expected) => {
    const base = `/api/organizations/${org.slug}/${segment}`;
    const created = await send(t, "POST", `${base}/`, { name: "S", slug: "s" }, headers);
    expect(created.status).toBe(201);
    const want = (slug: string) => Object.fromEntries(Object.entries(expected).map(([key, tail]) =>
      [key, { href: `/api/organizations/${org.slug}${tail.replace(/\bs\b/, slug)}`, count: 0 }]));
    expect(created.body.relationships).toEqual(want("s"));
    expect((await send(t, "GET", `${base}/s`, undefined, headers)).body.relationships).toEqual(want("s"));
    expect((await send(t, "GET", base, undefined, headers)).body[0].relationships).toEqual(want("s"));
    const moved = await send(t, "PATCH", `${base}/s`, [{ op: "replace", path: "/slug", value: "moved" }], headers);
    expect(moved.body.relationships).toEqual(want("moved"));
  });

  test("link definitions keep the reference's empty href, and count under the prefix too", async () => {
    const created = await send(t, "POST", `/api/organizations/${org.slug}/link-definitions/`, { name: "Repo", slug: "repo" }, headers);
    const [team] = await t.infra.sql<{ id: string }[]>`select id from teams where organization_id = ${org.id} limit 1`;
    await insertProject(t, { orgId: org.id, teamId: team!.id, links: { repo: "https://git" } });
    expect(created.body.relationships).toEqual({ projects: { href: "", count: 0 } });
    expect((await send(t, "GET", `/api/organizations/${org.slug}/link-definitions/repo`, undefined, headers)).body.relationships)
      .toEqual({ projects: { href: "", count: 1 } });
  });

  test("without the prefix the catalog routes are not served (404, not 401)", async () => {
    expect((await send(t, "GET", `/organizations/${org.slug}/teams/`)).status).toBe(404);
    expect((await send(t, "GET", "/organizations/")).status).toBe(404);
  });
});
