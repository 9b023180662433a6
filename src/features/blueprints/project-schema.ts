/**
 * `GET /organizations/{org}/projects/{id}/schema` (reference-domain §7.6): the blueprint
 * sections that apply to a project, enabled Project node blueprints (scope "project") then
 * enabled Project -[DEPLOYED_IN]-> Environment relationship blueprints (scope
 * "environment"), each by ascending priority. A blueprint is skipped when a non-empty
 * filter list is disjoint from the project's type / environment slugs, or when it has no
 * properties.
 */
import type { Database } from "../../infra/postgres.ts";
import { organizationOr404, projectOr404 } from "../projects/service.ts";
import { filterMatches } from "./attributes.ts";
import type { JsonSchema } from "./json-schema.ts";
import { enabledEdgeBlueprints, enabledNodeBlueprints, projectSlugs, type BlueprintRow } from "./repo.ts";

const COPIED = ["type", "format", "title", "description", "enum", "default", "minimum", "maximum"] as const;

function propertyJson(schema: JsonSchema): Record<string, unknown> {
  const property: Record<string, unknown> = {};
  for (const key of COPIED) if (schema[key] !== undefined) property[key] = schema[key];
  const ui = schema["x-ui"] && typeof schema["x-ui"] === "object" ? schema["x-ui"] as Record<string, unknown> : {};
  property["x-ui"] = { ...ui, editable: ui.editable ?? true };
  if (schema["x-display"] && typeof schema["x-display"] === "object") property["x-display"] = schema["x-display"];
  return property;
}

function section(row: BlueprintRow, scope: "project" | "environment") {
  const properties = row.json_schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties || !Object.keys(properties).length) return undefined;
  return {
    name: row.name, slug: row.slug, description: row.description, scope,
    properties: Object.fromEntries(Object.entries(properties).map(([key, schema]) => [key, propertyJson(schema ?? {})])),
  };
}

export async function projectSchema(sql: Database, orgSlug: string, projectId: string) {
  const org = await organizationOr404(sql, orgSlug);
  await projectOr404(sql, org, projectId);
  const context = await projectSlugs(sql, projectId);
  const [nodes, edges] = await Promise.all([
    enabledNodeBlueprints(sql, "Project"),
    enabledEdgeBlueprints(sql, "Project", "Environment", "DEPLOYED_IN"),
  ]);
  const sections = [
    ...nodes.filter((row) => filterMatches(row.filter, context)).map((row) => section(row, "project")),
    ...edges.filter((row) => filterMatches(row.filter, context)).map((row) => section(row, "environment")),
  ].filter((s) => s !== undefined);
  return { sections };
}
