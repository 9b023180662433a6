/**
 * What every releases test file starts from: the projects world (org A's cast and catalog)
 * plus helpers to create a project, a release and deployment events over HTTP.
 */
import { expect } from "bun:test";
import { send, type Sent } from "../../helpers/catalog.ts";
import { useWorld as useProjectsWorld, type World as ProjectsWorld } from "../projects/fixtures.ts";

export interface World extends ProjectsWorld {
  /** /organizations/{org A}/projects/{id}/releases */
  releases(projectId: string): string;
  /** A project of org A (deployed in staging and production) → its id. */
  project(): Promise<string>;
  /** POST a release as org A's developer (asserts 201). */
  release(projectId: string, overrides?: Record<string, unknown>): Promise<Record<string, any>>;
  /** POST a deployment event as org A's developer. */
  deploy(projectId: string, releaseId: string, envSlug: string, body?: Record<string, unknown>): Promise<Sent>;
}

let counter = 0;
/** A distinct 7-hex committish and semver tag per call. */
export function nextIdentity(): { committish: string; tag: string } {
  counter += 1;
  return { committish: (0xa000000 + counter * 7919 + Math.floor(Math.random() * 1000)).toString(16).padStart(7, "0").slice(-7), tag: `1.${counter}.${Math.floor(Math.random() * 1e6)}` };
}

export function useWorld(): World {
  const world = useProjectsWorld() as World;
  world.releases = (projectId) => `${world.base}/${projectId}/releases`;
  world.project = async () => (await world.create()).id;
  world.release = async (projectId, overrides = {}) => {
    const sent = await send(world.t, "POST", `${world.releases(projectId)}/`, {
      ...nextIdentity(), title: "A release", ...overrides,
    }, world.cast.developerA.headers);
    expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
    return sent.body;
  };
  world.deploy = (projectId, releaseId, envSlug, body = { status: "success" }) =>
    send(world.t, "POST", `${world.releases(projectId)}/${releaseId}/environments/${envSlug}`, body, world.cast.developerA.headers);
  return world;
}
