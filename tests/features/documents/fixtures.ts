/**
 * What every documents test file starts from: the projects world (org A's cast and catalog)
 * plus a project of org A, tags, and helpers to create documents over HTTP.
 */
import { beforeAll, expect } from "bun:test";
import { send } from "../../helpers/catalog.ts";
import { slugOf } from "../../helpers/catalog-factories.ts";
import { newId } from "../../../src/lib/ids.ts";
import { useWorld as useProjectsWorld, type World as ProjectsWorld } from "../projects/fixtures.ts";

export interface World extends ProjectsWorld {
  org: string;
  projectId: string;
  /** two tags of org A: { slug, name } */
  runbook: { slug: string; name: string };
  adr: { slug: string; name: string };
  /** …/projects/{projectId}/documents */
  projectDocs(projectId?: string): string;
  /** POST a document as org A's developer to `collection` (default: the project's); asserts 201. */
  doc(overrides?: Record<string, unknown>, collection?: string): Promise<Record<string, any>>;
  tag(orgId: string, name?: string): Promise<{ slug: string; name: string }>;
}

export function useWorld(): World {
  const world = useProjectsWorld() as World;
  beforeAll(async () => {
    world.org = `/organizations/${world.cast.orgA.slug}`;
    world.tag = async (orgId, name = `Tag ${slugOf("t")}`) => {
      const slug = slugOf("tag");
      await world.t.infra.sql`insert into tags (id, organization_id, slug, name) values (${newId()}, ${orgId}, ${slug}, ${name})`;
      return { slug, name };
    };
    world.projectId = (await world.create()).id;
    world.runbook = await world.tag(world.cast.orgA.id, "Runbook");
    world.adr = await world.tag(world.cast.orgA.id, "ADR");
    world.projectDocs = (projectId = world.projectId) => `${world.org}/projects/${projectId}/documents`;
    world.doc = async (overrides = {}, collection = `${world.projectDocs()}/`) => {
      const sent = await send(world.t, "POST", collection, { title: "Runbook", content: "# Steps", ...overrides }, world.cast.developerA.headers);
      expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
      return sent.body;
    };
  });
  return world;
}
