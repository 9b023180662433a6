/**
 * What every operations-log test file starts from: the projects world (org A with its cast
 * and catalog), one project in org A and one in org B, and helpers to record entries.
 * Org A's admin-role member may do everything; its readonly member may read only; its
 * developer holds no operations_log permission at all (roles/seed-data.ts).
 */
import { beforeAll, expect } from "bun:test";
import { createProjectCatalog, postProject, projectBody, type ProjectCatalog } from "../../helpers/catalog-factories.ts";
import { send, type Sent } from "../../helpers/catalog.ts";
import { useWorld as useProjectsWorld, type World as ProjectsWorld } from "../projects/fixtures.ts";

export interface ProjectRef {
  id: string;
  slug: string;
}

export interface World extends ProjectsWorld {
  projectA: ProjectRef;
  projectB: ProjectRef;
  catalogB: ProjectCatalog;
  /** A valid create body for org A's project. */
  body(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** POST /operations-log/ (as org A's admin unless headers are given); asserts 201. */
  record(overrides?: Record<string, unknown>, headers?: Record<string, string>): Promise<Record<string, any>>;
  post(body: unknown, headers?: Record<string, string>): Promise<Sent>;
}

export function useWorld(): World {
  const w = useProjectsWorld() as World;
  beforeAll(async () => {
    const a = await w.create();
    w.projectA = { id: a.id, slug: a.slug };
    w.catalogB = await createProjectCatalog(w.t, w.cast.orgB.id);
    const b = await postProject(w.t, w.cast.orgB.slug, w.cast.adminB.headers, projectBody(w.catalogB));
    w.projectB = { id: b.id, slug: b.slug };
    w.body = (overrides = {}) => ({
      project_id: w.projectA.id, project_slug: w.projectA.slug, environment_slug: w.catalog.production.slug,
      entry_type: "Deployed", description: "Deployed v1.2.3", version: "1.2.3", ...overrides,
    });
    w.post = (body, headers = w.cast.adminA.headers) => send(w.t, "POST", "/operations-log/", body, headers);
    w.record = async (overrides = {}, headers) => {
      const sent = await w.post(w.body(overrides), headers);
      expect({ status: sent.status, body: sent.body }).toMatchObject({ status: 201 });
      return sent.body;
    };
  });
  return w;
}

/** The URLs of a Link header by rel. */
export function links(sent: Sent): Record<string, string> {
  const header = sent.headers.get("link") ?? "";
  return Object.fromEntries([...header.matchAll(/<([^>]+)>;\s*rel="([^"]+)"/g)].map((m) => [m[2]!, m[1]!]));
}

/** Path and query of an absolute URL (what t.req takes). */
export const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};
