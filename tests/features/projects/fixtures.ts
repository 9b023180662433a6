/**
 * What every projects test file starts from: a test app, the catalog cast (org A with
 * admin/developer/readonly members, org B, a system admin) and org A's teams, types and
 * environments. `create` posts a project as org A's developer.
 */
import { afterAll, beforeAll } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createCast, type Cast } from "../../helpers/catalog.ts";
import { createProjectCatalog, postProject, projectBody, type ProjectCatalog } from "../../helpers/catalog-factories.ts";

export interface World {
  t: TestApp;
  cast: Cast;
  catalog: ProjectCatalog;
  /** /organizations/{org A}/projects */
  base: string;
  create(overrides?: Record<string, unknown>): Promise<Record<string, any>>;
}

export function useWorld(): World {
  const world = {} as World;
  beforeAll(async () => {
    world.t = await startTestApp();
    world.cast = await createCast(world.t);
    world.catalog = await createProjectCatalog(world.t, world.cast.orgA.id);
    world.base = `/organizations/${world.cast.orgA.slug}/projects`;
    world.create = (overrides = {}) => postProject(world.t, world.cast.orgA.slug, world.cast.developerA.headers, projectBody(world.catalog, overrides));
  });
  afterAll(() => world.t.close());
  return world;
}
