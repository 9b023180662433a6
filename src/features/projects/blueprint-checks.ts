/**
 * Blueprints applied to a project document (reference-domain §7.2, §7.8, §13.3, §13.4):
 * keys beyond the project's own fields are attributes, validated against the enabled
 * Project blueprints whose filter matches the project's types (JSON Schema, all keywords);
 * each environment's DEPLOYED_IN properties are validated against the matching
 * Project -[DEPLOYED_IN]-> Environment relationship blueprints (the reference writes them
 * unchecked). Every problem is reported in one 422, located in the body.
 */
import { HttpError, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { blueprintAttributes, deploymentAttributes, mergeAttributes, projectSlugs } from "../blueprints/service.ts";
import { ProjectDocument } from "./model.ts";
import { dedupe, storedEdgeProperties } from "./references.ts";
import type { Sql } from "./repo.ts";

/** Keys of a project body or response that are never blueprint attributes. */
const NOT_ATTRIBUTES = new Set([
  ...Object.keys(ProjectDocument.properties), "id", "team", "project_types", "created_at", "updated_at", "archived", "archived_at",
  "organization", "relationships", "score", "breakdown", "services", "lifecycle_results", "current_releases",
  "open_pr_count", "closed_pr_count", "viewer_open_pr_count", "viewer_closed_pr_count",
]);

async function collect<T>(problems: ValidationDetail[], check: () => Promise<T>): Promise<T | undefined> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof HttpError && error.status === 422 && Array.isArray(error.detail)) {
      problems.push(...(error.detail as ValidationDetail[]));
      return undefined;
    }
    throw error;
  }
}

/**
 * `doc`: a create body or a patched document. Returns the attributes to store (undeclared
 * keys dropped, except ones already `stored`) and the environments with validated
 * properties (defaults applied).
 */
export async function checkProjectBlueprints(
  sql: Sql, doc: Record<string, unknown>, stored: Record<string, unknown> = {},
): Promise<{ attributes: Record<string, unknown>; environments: Record<string, Record<string, unknown>> }> {
  const types = dedupe((doc.project_type_slugs as string[] | undefined) ?? []);
  const environments = (doc.environments as Record<string, Record<string, unknown>> | undefined) ?? {};
  const problems: ValidationDetail[] = [];
  // The whole document is checked, so a blueprint property naming a project field constrains it.
  const { environments: _e, ...fields } = doc;
  const merged = await collect(problems, async () => mergeAttributes(await blueprintAttributes(sql, "Project", { project_type: types }), fields, stored));
  const checked: Record<string, Record<string, unknown>> = {};
  for (const [slug, properties] of Object.entries(environments)) {
    const valid = await collect(problems, async () =>
      (await deploymentAttributes(sql, types, slug)).validate(storedEdgeProperties(properties), ["body", "environments", slug]));
    checked[slug] = valid ?? properties;
  }
  if (problems.length) throw new UnprocessableError(problems);
  const attributes = Object.fromEntries(Object.entries(merged!).filter(([key]) => !NOT_ATTRIBUTES.has(key)));
  return { attributes, environments: checked };
}

/** PATCH …/environments/{env}: the edge's resulting properties checked (loc ["body", key]). */
export async function checkDeploymentProperties(sql: Sql, projectId: string, envSlug: string, properties: Record<string, unknown>) {
  const types = (await projectSlugs(sql, projectId)).project_type;
  return (await deploymentAttributes(sql, types, envSlug)).validate(properties, ["body"]);
}
