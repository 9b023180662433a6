/**
 * How blueprints extend an entity (reference-domain §13.3, §13.4): the enabled blueprints
 * whose filter matches the context, by ascending priority; a property declared by several
 * belongs to the last (highest priority) one. Each blueprint validates the attributes it
 * owns against its own JSON Schema (all keywords, via ajv): a 422 located at the field.
 *
 * Node attributes: keys no blueprint declares are dropped (as the reference's
 * extra='ignore'). Edge properties (relationship blueprints; the reference does not
 * validate them, §20.11): declared keys are validated, undeclared ones kept verbatim.
 */
import { UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import type { Database } from "../../infra/postgres.ts";
import type { TransactionSql } from "postgres";
import type { Filter, NodeType } from "./model.ts";
import { compileSchema, toDetails, type JsonSchema } from "./json-schema.ts";
import { enabledEdgeBlueprints, enabledNodeBlueprints, type BlueprintRow } from "./repo.ts";

type Sql = Database | TransactionSql;

/** What filters are matched against: the project's type slugs, the environment slug(s). */
export interface BlueprintContext {
  project_type?: string[];
  environment?: string[];
}

export interface AttributeModel {
  /** The merged object schema (properties by winner, required of the winners), for docs. */
  schema: { type: "object"; properties: Record<string, JsonSchema>; required: string[] };
  /** Declared property names. */
  keys: string[];
  /**
   * Validates `input` (nulls mean absent): returns what to store (declared keys with
   * defaults applied and enum spellings coerced; with keepUndeclared, other keys as given)
   * or throws a 422 with every problem, located under `loc`.
   */
  validate(input: Record<string, unknown>, loc?: (string | number)[]): Record<string, unknown>;
}

/** Filter matching: every non-empty list must intersect the context's values (§13.3). */
export function filterMatches(filter: Filter | null, context: BlueprintContext): boolean {
  if (!filter) return true;
  return (["project_type", "environment"] as const).every((key) => {
    const wanted = filter[key] ?? [];
    return !wanted.length || wanted.some((slug) => (context[key] ?? []).includes(slug));
  });
}

const propertiesOf = (row: BlueprintRow): Record<string, JsonSchema> => {
  const properties = row.json_schema.properties;
  return properties && typeof properties === "object" && !Array.isArray(properties) ? properties as Record<string, JsonSchema> : {};
};

/** A string enum value in another case becomes the declared spelling ("fastapi" → "FastAPI"). */
function coerceEnum(schema: JsonSchema, value: unknown): unknown {
  if (typeof value !== "string" || !Array.isArray(schema.enum) || schema.enum.includes(value)) return value;
  const matches = schema.enum.filter((option): option is string => typeof option === "string" && option.toLowerCase() === value.toLowerCase());
  return matches.length === 1 ? matches[0] : value;
}

export function buildModel(rows: BlueprintRow[], options: { keepUndeclared?: boolean } = {}): AttributeModel {
  const owner = new Map<string, BlueprintRow>();
  for (const row of rows) for (const key of Object.keys(propertiesOf(row))) owner.set(key, row);
  const properties = Object.fromEntries([...owner].map(([key, row]) => [key, propertiesOf(row)[key]!]));
  const required = [...owner].filter(([key, row]) => Array.isArray(row.json_schema.required) && row.json_schema.required.includes(key)).map(([key]) => key);
  // Each blueprint checks only the properties it owns (a higher-priority one may redefine the rest).
  const checks = rows.map((row) => {
    const owned = [...owner].filter(([, r]) => r === row).map(([key]) => key).sort();
    if (!owned.length) return undefined;
    const own = propertiesOf(row);
    const schema: JsonSchema = {
      ...row.json_schema,
      properties: Object.fromEntries(owned.map((key) => [key, own[key]])),
      ...(Array.isArray(row.json_schema.required) ? { required: row.json_schema.required.filter((key) => owned.includes(String(key))) } : {}),
    };
    return { owned, validate: compileSchema(schema, `${row.id}:${row.version}:${JSON.stringify(owned)}`) };
  }).filter((check) => check !== undefined);

  return {
    schema: { type: "object", properties, required },
    keys: [...owner.keys()],
    validate(input, loc = ["body"]) {
      const problems: ValidationDetail[] = [];
      const result: Record<string, unknown> = {};
      if (options.keepUndeclared) {
        for (const [key, value] of Object.entries(input)) if (!owner.has(key) && value !== null) result[key] = value;
      }
      for (const { owned, validate } of checks) {
        const data: Record<string, unknown> = {};
        for (const key of owned) {
          if (Object.hasOwn(input, key) && input[key] !== null && input[key] !== undefined) data[key] = coerceEnum(properties[key]!, structuredClone(input[key]));
        }
        if (!validate(data)) problems.push(...toDetails(validate.errors, data, loc));
        for (const key of owned) if (Object.hasOwn(data, key)) result[key] = data[key];
      }
      if (problems.length) throw new UnprocessableError(problems);
      return result;
    },
  };
}

/** The attribute model of an entity type for `context` (no context: only unfiltered blueprints). */
export async function blueprintAttributes(sql: Sql, entityType: NodeType, context: BlueprintContext = {}): Promise<AttributeModel> {
  const rows = (await enabledNodeBlueprints(sql, entityType)).filter((row) => filterMatches(row.filter, context));
  return buildModel(rows);
}

/** The DEPLOYED_IN property model for a project (its type slugs) in one environment. */
export async function deploymentAttributes(sql: Sql, projectTypes: string[], environment: string): Promise<AttributeModel> {
  const rows = (await enabledEdgeBlueprints(sql, "Project", "Environment", "DEPLOYED_IN"))
    .filter((row) => filterMatches(row.filter, { project_type: projectTypes, environment: [environment] }));
  return buildModel(rows, { keepUndeclared: true });
}

/**
 * The attributes to store after a create or patch: declared keys validated; undeclared keys
 * that were already stored (e.g. from a blueprint since disabled) are kept as they were,
 * new undeclared keys are dropped (nothing stored is lost by an unrelated change).
 */
export function mergeAttributes(
  model: AttributeModel, input: Record<string, unknown>, stored: Record<string, unknown> = {}, loc: (string | number)[] = ["body"],
): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(stored).filter(([key]) => !model.keys.includes(key) && Object.hasOwn(input, key) && input[key] !== null));
  return { ...kept, ...model.validate(input, loc) };
}
