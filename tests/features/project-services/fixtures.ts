/**
 * What the project-services tests start from: the projects world (org A's cast and catalog),
 * a project of org A, two integrations of org A (written through SQL: the integrations API
 * comes later) and request helpers, PUT included.
 */
import { beforeAll } from "bun:test";
import { send, type Method, type Sent } from "../../helpers/catalog.ts";
import { useWorld as useProjectsWorld, type World as ProjectsWorld } from "../projects/fixtures.ts";
import { insertIntegration, type Integration } from "../webhooks/fixtures.ts";

export interface World extends ProjectsWorld {
  projectId: string;
  github: Integration;
  sonar: Integration;
  /** /organizations/{org A}/projects/{projectId}/services */
  services(projectId?: string): string;
  /** A request as org A's developer (project:read and project:write). */
  as(method: Method | "PUT", path: string, body?: unknown, headers?: Record<string, string>): Promise<Sent>;
}

export function useWorld(): World {
  const world = useProjectsWorld() as World;
  beforeAll(async () => {
    world.projectId = (await world.create()).id;
    world.github = await insertIntegration(world.t, world.cast.orgA.id, { name: "GitHub" });
    world.sonar = await insertIntegration(world.t, world.cast.orgA.id, { name: "SonarQube", plugin: "sonarqube" });
    world.services = (projectId = world.projectId) => `${world.base}/${projectId}/services`;
    world.as = (method, path, body, headers = world.cast.developerA.headers) => send(world.t, method as Method, path, body, headers);
  });
  return world;
}
