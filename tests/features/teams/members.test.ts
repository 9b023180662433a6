/** /organizations/{org_slug}/teams/{slug}/members: list, add (idempotent), remove. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createUser } from "../../helpers/identity.ts";
import { createCast, expect422, randomSlug, send, serviceAccount, type Cast, type Method } from "../../helpers/catalog.ts";

let t: TestApp;
let cast: Cast;
let team: { slug: string; id: string };
beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  team = (await send(t, "POST", `/organizations/${cast.orgA.slug}/teams/`, { name: "Core", slug: "core" }, cast.adminA.headers)).body;
});
afterAll(() => t.close());

const members = (teamSlug = team.slug, org = cast.orgA.slug) => `/organizations/${org}/teams/${teamSlug}/members`;
const newTeam = async () => (await send(t, "POST", `/organizations/${cast.orgA.slug}/teams/`, { name: "T", slug: randomSlug("team") }, cast.adminA.headers)).body;

describe("POST /organizations/{org_slug}/teams/{slug}/members", () => {
  test("201 {email, team}; idempotent; the email matches without regard to case", async () => {
    const target = await newTeam();
    const user = cast.readonlyA.user;
    const added = await send(t, "POST", members(target.slug), { email: user.email.toUpperCase() }, cast.adminA.headers);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ email: user.email, team: target.slug });
    expect((await send(t, "POST", `${members(target.slug)}/`, { email: user.email }, cast.adminA.headers)).status).toBe(201);
    expect([...await t.infra.sql`select user_id from team_members where team_id = ${target.id}`]).toEqual([{ user_id: user.id }]);
  });

  test("a user of another organization may be added (reference behaviour)", async () => {
    const target = await newTeam();
    expect((await send(t, "POST", members(target.slug), { email: cast.developerB.user.email }, cast.adminA.headers)).status).toBe(201);
  });

  test("404 for an unknown user, team or organization", async () => {
    const unknownUser = await send(t, "POST", members(), { email: "nobody@example.com" }, cast.adminA.headers);
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body).toEqual({ detail: "User 'nobody@example.com' not found" });
    const unknownTeam = await send(t, "POST", members("nope"), { email: cast.readonlyA.user.email }, cast.adminA.headers);
    expect(unknownTeam.body).toEqual({ detail: "Team with slug 'nope' not found" });
    expect(unknownTeam.status).toBe(404);
    expect((await send(t, "POST", members("core", "nope"), { email: cast.readonlyA.user.email }, cast.system.headers)).status).toBe(404);
  });

  test.each([
    ["no email", {}],
    ["a numeric email", { email: 5 }],
    ["a null email", { email: null }],
    ["not an email", { email: "not-an-email" }],
    ["an email with spaces", { email: "a b@example.com" }],
    ["an email over 320 chars", { email: `${"a".repeat(320)}@example.com` }],
  ])("422 for %s", async (_case, body) => {
    expect422(await send(t, "POST", members(), body, cast.adminA.headers), "email");
  });

  test("no 5xx for hostile emails or bodies", async () => {
    for (const body of [{ email: "a\u0000@example.com" }, { email: "\ud800@example.com" }, null, [], "x", { email: ["a@b.co"] }]) {
      expect((await send(t, "POST", members(), body, cast.adminA.headers)).status).toBeLessThan(500);
    }
    expect((await send(t, "POST", members(), "{", cast.adminA.headers)).status).toBe(400);
  });
});

describe("GET /organizations/{org_slug}/teams/{slug}/members", () => {
  test("members ordered by email with display_name, is_active, is_admin; with and without the slash", async () => {
    const target = await newTeam();
    const z = { user: await createUser(t, { email: `zz-${randomSlug()}@example.com`, isAdmin: true }) };
    const a = { user: await createUser(t, { email: `aa-${randomSlug()}@example.com`, isActive: false }) };
    for (const user of [z.user, a.user]) expect((await send(t, "POST", members(target.slug), { email: user.email }, cast.adminA.headers)).status).toBe(201);
    for (const path of [members(target.slug), `${members(target.slug)}/`]) {
      const listed = await send(t, "GET", path, undefined, cast.readonlyA.headers);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([
        { email: a.user.email, display_name: a.user.email.split("@")[0], is_active: false, is_admin: false },
        { email: z.user.email, display_name: z.user.email.split("@")[0], is_active: true, is_admin: true },
      ]);
    }
  });

  test("404 for an unknown team or organization", async () => {
    expect((await send(t, "GET", members("nope"), undefined, cast.adminA.headers)).body).toEqual({ detail: "Team with slug 'nope' not found" });
    expect((await send(t, "GET", members("core", "nope"), undefined, cast.system.headers)).status).toBe(404);
  });
});

describe("DELETE /organizations/{org_slug}/teams/{slug}/members/{email}", () => {
  test("204, then 404 naming the membership; the email may be url-encoded and of any case", async () => {
    const target = await newTeam();
    const email = cast.developerA.user.email;
    await send(t, "POST", members(target.slug), { email }, cast.adminA.headers);
    const removed = await send(t, "DELETE", `${members(target.slug)}/${encodeURIComponent(email.toUpperCase())}`, undefined, cast.adminA.headers);
    expect(removed.status).toBe(204);
    expect((await send(t, "GET", members(target.slug), undefined, cast.adminA.headers)).body).toEqual([]);
    const again = await send(t, "DELETE", `${members(target.slug)}/${encodeURIComponent(email)}`, undefined, cast.adminA.headers);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: `Membership for '${email}' in team '${target.slug}' not found` });
  });

  test("404 for an unknown team, organization, or a user who is not a member; no 5xx for odd emails", async () => {
    expect((await send(t, "DELETE", `${members("nope")}/a@example.com`, undefined, cast.adminA.headers)).status).toBe(404);
    expect((await send(t, "DELETE", `${members("core", "nope")}/a@example.com`, undefined, cast.system.headers)).status).toBe(404);
    expect((await send(t, "DELETE", `${members()}/${encodeURIComponent(cast.readonlyA.user.email)}`, undefined, cast.adminA.headers)).status).toBe(404);
    for (const odd of ["%00", "a%00b%40x.co", "%ZZ", "x".repeat(3000)]) {
      const response = await send(t, "DELETE", `${members()}/${odd}`, undefined, cast.adminA.headers);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });
});

describe("team members: access", () => {
  const routes = (): [string, Method, string, unknown][] => [
    ["GET", "GET", members(), undefined],
    ["POST", "POST", members(), { email: cast.readonlyA.user.email }],
    ["DELETE", "DELETE", `${members()}/${encodeURIComponent(cast.readonlyA.user.email)}`, undefined],
  ];

  test.each(["GET", "POST", "DELETE"])("%s: 401 without credentials or with a bad token", async (label) => {
    const [, method, path, body] = routes().find((r) => r[0] === label)!;
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer bad" }]) expect((await send(t, method, path, body, headers)).status).toBe(401);
  });

  test.each(["GET", "POST", "DELETE"])("%s: 403 for members and service accounts of another organization", async (label) => {
    const [, method, path, body] = routes().find((r) => r[0] === label)!;
    const sa = await serviceAccount(t, cast.orgB, "admin");
    for (const headers of [cast.adminB.headers, cast.developerB.headers, sa.headers]) {
      const response = await send(t, method, path, body, headers);
      expect(response.status).toBe(403);
      expect(response.body.detail).toBe(`Permission denied: ${method === "GET" ? "team:read" : "team:update"} required`);
    }
  });

  test("readonly may list but not add or remove (team:update); developer may (team:update)", async () => {
    const [list, add, remove] = routes();
    expect((await send(t, list![1], list![2], undefined, cast.readonlyA.headers)).status).toBe(200);
    expect((await send(t, add![1], add![2], add![3], cast.readonlyA.headers)).status).toBe(403);
    expect((await send(t, remove![1], remove![2], undefined, cast.readonlyA.headers)).status).toBe(403);
    expect((await send(t, add![1], add![2], add![3], cast.developerA.headers)).status).toBe(201);
    expect((await send(t, remove![1], remove![2], undefined, cast.developerA.headers)).status).toBe(204);
  });

  test("nothing was logged as an unhandled error", () => {
    expect(t.logs.filter((line) => line.msg === "unhandled error")).toEqual([]);
  });
});
