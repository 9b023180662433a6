/**
 * A small catalog for search tests, written with SQL (the triggers queue it exactly as API
 * writes would), then indexed by draining ctx.search.
 */
import { resolve } from "node:path";
import { newId } from "../../../src/lib/ids.ts";
import type { TestApp } from "../../helpers/app.ts";
import { randomSlug } from "../../helpers/catalog.ts";

export interface SeededOrg {
  orgId: string;
  teamId: string;
  projectId: string;
  documentId: string;
  releaseId: string;
}

/** A team, a project, a document with markdown sections and a release, all about `topic`. */
export async function seedCatalog(t: TestApp, orgId: string, topic: { project: string; description: string; document: string }): Promise<SeededOrg> {
  const { sql } = t.infra;
  const teamId = newId();
  const projectId = newId();
  const documentId = newId();
  const releaseId = newId();
  await sql`insert into teams (id, organization_id, slug, name, description)
            values (${teamId}, ${orgId}, ${randomSlug("team")}, 'Core Team', 'Owns the shared services')`;
  await sql`insert into projects (id, organization_id, team_id, slug, name, description)
            values (${projectId}, ${orgId}, ${teamId}, ${randomSlug("proj")}, ${topic.project}, ${topic.description})`;
  await sql`insert into documents (id, organization_id, project_id, title, content, created_by, created_at)
            values (${documentId}, ${orgId}, ${projectId}, ${`${topic.project} runbook`}, ${topic.document}, 'tester', now())`;
  await sql`insert into releases (id, project_id, tag, committish, title, description, created_by)
            values (${releaseId}, ${projectId}, '1.0.0', 'abcdef1', 'First release', 'Initial rollout', 'tester')`;
  return { orgId, teamId, projectId, documentId, releaseId };
}

export const searchPath = (orgSlug: string, params: Record<string, string | number>) =>
  `/organizations/${orgSlug}/search?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;

/** The committed fixture model (scripts/generate-embedding-fixture.ts), as settings. */
export const FIXTURE_MODEL_ID = "imbi/fixture-mini";
export const FIXTURE_MODELS = JSON.stringify({ text: { fastembed_id: FIXTURE_MODEL_ID, dimensions: 384 } });
export const FIXTURE_CACHE_DIR = resolve(import.meta.dir, "../../fixtures/embeddings");
