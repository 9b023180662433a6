/**
 * The OpenAPI document reflects blueprints (reference-domain §13.5): on each GET
 * /openapi.json the enabled blueprints are read and
 *   - components.schemas gets `{Type}Attributes` per node type (the merged properties of its
 *     enabled blueprints, filters ignored, higher priority winning) and
 *     `Project_Environment_DEPLOYED_INEdgeProperties` for relationship blueprints;
 *   - the create bodies and entity responses of teams, environments, project types, link
 *     definitions and projects gain those properties (with a `$ref`), matched by path
 *     suffix so it also works under an IMBI_API_URL prefix (the reference's rewrite does not).
 * Nothing is cached: a blueprint write shows at the next fetch. The swagger plugin's own
 * document is never mutated (a clone is enriched).
 */
import { Elysia } from "elysia";
import type { Database } from "../../infra/postgres.ts";
import { buildModel } from "./attributes.ts";
import { NODE_TYPES } from "./model.ts";
import { listBlueprints, type BlueprintRow } from "./repo.ts";

type Doc = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};
type Operation = {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Schema = { type?: string; properties?: Record<string, unknown>; items?: Schema; anyOf?: Schema[]; [key: string]: unknown };

/** Path suffix → the entity type its create body and responses carry. */
const PATHS: [RegExp, string][] = [
  [/\/organizations\/\{org_slug\}\/teams\/(\{slug\})?$/, "Team"],
  [/\/organizations\/\{org_slug\}\/environments\/(\{slug\})?$/, "Environment"],
  [/\/organizations\/\{org_slug\}\/project-types\/(\{slug\})?$/, "ProjectType"],
  [/\/organizations\/\{org_slug\}\/link-definitions\/(\{slug\})?$/, "LinkDefinition"],
  [/\/organizations\/\{org_slug\}\/projects\/(\{project_id\})?$/, "Project"],
];
export const EDGE_SCHEMA = "Project_Environment_DEPLOYED_INEdgeProperties";

/** Adds `properties` to an object schema (or the items of an array schema) that lacks them. */
function extend(schema: Schema | undefined, properties: Record<string, unknown>, ref: string): void {
  if (!schema) return;
  if (schema.type === "array" && schema.items) return extend(schema.items, properties, ref);
  for (const branch of schema.anyOf ?? []) extend(branch, properties, ref);
  if (schema.type !== "object") return;
  schema.properties ??= {};
  for (const [key, value] of Object.entries(properties)) if (!(key in schema.properties)) schema.properties[key] = value;
  schema["x-imbi-blueprints"] = ref;
}

export function enrichOpenApi(doc: Doc, rows: BlueprintRow[]): Doc {
  const schemas = (doc.components ??= {}).schemas ??= {};
  const byType = new Map<string, Record<string, unknown>>();
  for (const type of NODE_TYPES) {
    const model = buildModel(rows.filter((row) => row.kind === "node" && row.type === type).sort((a, b) => a.priority - b.priority));
    if (!model.keys.length) continue;
    schemas[`${type}Attributes`] = { ...model.schema, description: `Attributes ${type} blueprints add (filters not applied)` };
    byType.set(type, model.schema.properties);
  }
  const edges = buildModel(rows.filter((row) => row.kind === "relationship" && row.source === "Project" && row.target === "Environment" && row.edge === "DEPLOYED_IN")
    .sort((a, b) => a.priority - b.priority), { keepUndeclared: true });
  if (edges.keys.length) schemas[EDGE_SCHEMA] = { ...edges.schema, additionalProperties: true };

  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    const type = PATHS.find(([pattern]) => pattern.test(path))?.[1];
    const properties = type ? byType.get(type) : undefined;
    if (!type || !properties) continue;
    const ref = `#/components/schemas/${type}Attributes`;
    for (const [method, operation] of Object.entries(operations)) {
      if (method === "post") for (const media of Object.values(operation.requestBody?.content ?? {})) extend(media.schema, properties, ref);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (status.startsWith("2")) for (const media of Object.values(response.content ?? {})) extend(media.schema, properties, ref);
      }
    }
  }
  return doc;
}

/**
 * A global hook: every response of GET …/openapi.json is the enriched document. Elysia
 * applies a hook only to routes registered after it, so app.ts must `.use()` this before
 * the swagger plugin: `.use(blueprintOpenApi(infra.sql))` ahead of `.use(swagger(…))`.
 */
export function blueprintOpenApi(sql: Database) {
  return new Elysia({ name: "imbi.blueprints.openapi" }).onAfterHandle({ as: "global" }, async ({ request, response }) => {
    // Runs after every handler: keep the common case to two string checks.
    if (request.method !== "GET" || !request.url.split("?", 1)[0]!.endsWith("/openapi.json")) return;
    if (!response || typeof response !== "object" || response instanceof Response || !("paths" in response)) return;
    try {
      return enrichOpenApi(structuredClone(response) as Doc, await listBlueprints(sql, undefined, true));
    } catch {
      return undefined; // the plain document rather than none
    }
  });
}
