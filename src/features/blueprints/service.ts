/**
 * Blueprint rules (reference-domain §13.1, §13.2), global (not organization-scoped):
 * create (slug derived from the name when absent; 409 on a slug clash per kind+type, D2,
 * instead of the reference's silent upsert), list, read, JSON Patch (kind, type and slug
 * cannot change; each write bumps `version`), delete. The json_schema must compile as a
 * draft 2020-12 JSON Schema (422 with the compiler's message).
 */
import { toIso } from "../../lib/time.ts";
import { Value } from "@sinclair/typebox/value";
import { ValidationError } from "elysia";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, InputError, NotFoundError, toValidationDetails, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY, type PatchOperations } from "../../http/json-patch.ts";
import { pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import { SLUG_PATTERN, slugify } from "../../lib/slug.ts";
import type { Principal } from "../auth/principal.ts";
import { BlueprintInput, Filter, type BlueprintJson } from "./model.ts";
import { schemaProblem, type JsonSchema } from "./json-schema.ts";
import {
  deleteBlueprint, findBlueprint, insertBlueprint, listBlueprints, updateBlueprint, type BlueprintRow, type BlueprintValues,
} from "./repo.ts";

export interface BlueprintDeps {
  sql: Database;
  events: EventBus;
}

const storable = (value: string) => !value.includes("\u0000") && value.isWellFormed();

export function toBlueprintJson(row: BlueprintRow): BlueprintJson {
  return {
    id: row.id, name: row.name, slug: row.slug, description: row.description, icon: row.icon, kind: row.kind,
    type: row.type, source: row.source, target: row.target, edge: row.edge, enabled: row.enabled, priority: row.priority,
    filter: row.filter === null ? null : JSON.stringify(row.filter),
    json_schema: JSON.stringify(row.json_schema),
    version: row.version, created_at: row.created_at.toISOString(), updated_at: toIso(row.updated_at),
  };
}

const problem = (field: string, msg: string, input?: unknown, type = "value_error"): ValidationDetail =>
  ({ type, loc: ["body", field], msg, ...(input === undefined ? {} : { input }) });

/** An object given as such or as a JSON string. */
function parsedJson(value: unknown, field: string, problems: ValidationDetail[]): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    problems.push(problem(field, "Invalid JSON", value, "json_invalid"));
    return undefined;
  }
}

/** A create body or a patched document → the values to store, or a 422 naming every problem. */
export function checkBlueprint(input: unknown): BlueprintValues {
  if (!Value.Check(BlueprintInput, input)) throw new UnprocessableError(toValidationDetails(new ValidationError("body", BlueprintInput, input)));
  const body = input as BlueprintInput;
  const problems: ValidationDetail[] = [];
  const kind = body.kind ?? "node";

  const slug = (body.slug ?? slugify(body.name)).toLowerCase();
  if (!new RegExp(SLUG_PATTERN).test(slug)) {
    problems.push(problem("slug", body.slug === undefined ? "A slug cannot be derived from this name; give one" : `Slug must match ${SLUG_PATTERN}`, body.slug ?? body.name));
  }
  const type = body.type ?? null;
  const [source, target, edge] = [body.source ?? null, body.target ?? null, body.edge ?? null];
  if (kind === "node") {
    if (type === null) problems.push(problem("type", "A node blueprint needs a type", null, "missing"));
    for (const [field, value] of Object.entries({ source, target, edge })) {
      if (value !== null) problems.push(problem(field, `Only relationship blueprints have a ${field}`, value));
    }
  } else {
    if (type !== null) problems.push(problem("type", "A relationship blueprint has no type (it names source, target and edge)", type));
    for (const [field, value] of Object.entries({ source, target, edge })) {
      if (value === null) problems.push(problem(field, `A relationship blueprint needs a ${field}`, null, "missing"));
    }
  }

  let filter = parsedJson(body.filter ?? null, "filter", problems) as Filter | null | undefined;
  if (filter !== undefined && filter !== null) {
    if (!Value.Check(Filter, filter)) {
      problems.push(problem("filter", "filter must be {project_type: string[], environment: string[]} (no other keys)", filter));
      filter = undefined;
    } else {
      filter = { project_type: filter.project_type ?? [], environment: filter.environment ?? [] };
    }
  }

  const schema = parsedJson(body.json_schema, "json_schema", problems) as JsonSchema | undefined;
  if (schema !== undefined) {
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
      problems.push(problem("json_schema", "json_schema must be a JSON Schema object", schema));
    } else if (schema.type !== undefined && schema.type !== "object") {
      problems.push(problem("json_schema", "A blueprint's json_schema describes an object (type must be \"object\")", schema.type));
    } else if (schema.properties !== undefined && (schema.properties === null || typeof schema.properties !== "object" || Array.isArray(schema.properties))) {
      problems.push(problem("json_schema", "json_schema.properties must be an object", schema.properties));
    } else {
      const invalid = schemaProblem(schema);
      if (invalid) problems.push(problem("json_schema", `Invalid JSON Schema: ${invalid}`, undefined, "json_schema_invalid"));
    }
  }
  if (problems.length) throw new UnprocessableError(problems);
  return {
    slug, name: body.name, description: body.description ?? null, icon: body.icon ?? null, kind, type, source, target, edge,
    enabled: body.enabled ?? true, priority: body.priority ?? 0, filter: filter ?? null, json_schema: schema!,
  };
}

function actor(principal: Principal, meta: RequestMeta) {
  return {
    actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
  };
}

const identity = (row: Pick<BlueprintRow, "kind" | "type">) => (row.kind === "relationship" ? "relationship" : String(row.type));

async function guarded<T>(values: BlueprintValues, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (pgCode(error) === UNIQUE_VIOLATION) throw new ConflictError(`Blueprint with slug '${values.slug}' and type '${identity(values)}' already exists`);
    if (pgCode(error)?.startsWith("22")) {
      throw new UnprocessableError([{ type: "value_error", loc: ["body"], msg: "A value cannot be stored (invalid characters or out of range)" }]);
    }
    throw error;
  }
}

export function blueprintService(deps: BlueprintDeps) {
  async function load(type: string, slug: string): Promise<BlueprintRow> {
    const row = storable(slug) ? await findBlueprint(deps.sql, type, slug) : undefined;
    if (!row) throw new NotFoundError(`Blueprint with slug '${slug}' and type '${type}' not found`);
    return row;
  }

  const emit = (type: string, row: BlueprintRow, principal: Principal, meta: RequestMeta) => deps.events.emit({
    type, outcome: "success", ...actor(principal, meta),
    detail: { blueprint_id: row.id, slug: row.slug, kind: row.kind, type: row.type, version: row.version },
  });

  return {
    async list(type: string | undefined, enabled: boolean | undefined) {
      return (await listBlueprints(deps.sql, type, enabled)).map(toBlueprintJson);
    },

    async get(type: string, slug: string) {
      return toBlueprintJson(await load(type, slug));
    },

    async create(principal: Principal, input: unknown, meta: RequestMeta) {
      const values = checkBlueprint(input);
      const row = await guarded(values, () => insertBlueprint(deps.sql, newId(), values));
      emit("blueprint.created", row, principal, meta);
      return toBlueprintJson(row);
    },

    async patch(principal: Principal, type: string, slug: string, operations: PatchOperations, meta: RequestMeta) {
      const row = await load(type, slug);
      const { created_at: _c, updated_at: _u, ...current } = row;
      const patched = applyJsonPatch(current as Record<string, unknown>, operations, [...DEFAULT_READ_ONLY, "/version"]);
      if (patched.slug !== row.slug) throw new InputError("Blueprint slug cannot be changed via PATCH");
      if ((patched.kind ?? "node") !== row.kind) throw new InputError("Blueprint kind cannot be changed via PATCH");
      if ((patched.type ?? null) !== row.type) throw new InputError("Blueprint type cannot be changed via PATCH");
      const { id: _id, version: _v, ...document } = patched;
      const values = checkBlueprint(document);
      const updated = await guarded(values, () => updateBlueprint(deps.sql, row.id, values));
      emit("blueprint.updated", updated, principal, meta);
      return toBlueprintJson(updated);
    },

    async remove(principal: Principal, type: string, slug: string, meta: RequestMeta) {
      const row = await load(type, slug);
      await deleteBlueprint(deps.sql, row.id);
      emit("blueprint.deleted", row, principal, meta);
    },
  };
}

// What other features use to apply blueprints to their entities (§13.3, §13.4).
export { blueprintAttributes, deploymentAttributes, mergeAttributes, type AttributeModel } from "./attributes.ts";
export { projectSlugs } from "./repo.ts";
