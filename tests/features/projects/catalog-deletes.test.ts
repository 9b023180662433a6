/**
 * Deleting a team, an environment or a project type that projects use is refused through
 * their own routes (409 naming the projects, D2) and allowed once no project uses it.
 */
import { describe, expect, test } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { createEnvironment, createProjectType, createTeam } from "../../helpers/catalog-factories.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const del = (segment: string, slug: string) => send(w.t, "DELETE", `/organizations/${w.cast.orgA.slug}/${segment}/${slug}`, undefined, w.cast.adminA.headers);
const patch = (id: string, ops: object[]) => send(w.t, "PATCH", `${w.base}/${id}`, ops, w.cast.developerA.headers);

describe("catalog deletes blocked by projects", () => {
  test("DELETE /teams/{slug} while a project is owned by it → 409; after moving the project → 204", async () => {
    const team = await createTeam(w.t, w.cast.orgA.id);
    const p = await w.create({ team_slug: team.slug });
    const blocked = await del("teams", team.slug);
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain("project");
    expect((await patch(p.id, [{ op: "replace", path: "/team_slug", value: w.catalog.team.slug }])).status).toBe(200);
    expect((await del("teams", team.slug)).status).toBe(204);
  });

  test("DELETE /environments/{slug} while a project is deployed in it → 409; after removing the deployment → 204", async () => {
    const env = await createEnvironment(w.t, w.cast.orgA.id);
    const p = await w.create({ environments: { [env.slug]: { url: "https://e.example.com" } } });
    const blocked = await del("environments", env.slug);
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain("project");
    expect((await patch(p.id, [{ op: "remove", path: `/environments/${env.slug}` }])).status).toBe(200);
    expect((await del("environments", env.slug)).status).toBe(204);
  });

  test("DELETE /project-types/{slug} while a project has the type → 409; after deleting the project → 204", async () => {
    const type = await createProjectType(w.t, w.cast.orgA.id);
    const p = await w.create({ project_type_slugs: [type.slug] });
    const blocked = await del("project-types", type.slug);
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain("project");
    expect((await send(w.t, "DELETE", `${w.base}/${p.id}`, undefined, w.cast.adminA.headers)).status).toBe(200);
    expect((await del("project-types", type.slug)).status).toBe(204);
  });

  test("the entities' relationship counts include projects", async () => {
    const team = await createTeam(w.t, w.cast.orgA.id);
    await w.create({ team_slug: team.slug });
    await w.create({ team_slug: team.slug });
    const sent = await send(w.t, "GET", `/organizations/${w.cast.orgA.slug}/teams/${team.slug}`, undefined, w.cast.readonlyA.headers);
    expect(sent.body.relationships.projects.count).toBe(2);
  });
});
