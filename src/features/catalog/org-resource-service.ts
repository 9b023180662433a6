/**
 * Rules for organization-scoped entities: lookups by organization and slug (404s with the
 * reference's messages), create and JSON Patch validated against the entity's schema
 * (422 in the D2 shape), slug clashes as 409, and deletes refused with 409 while anything
 * depends on the entity (D2).
 */
import { Type, type TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { DEFAULT_READ_ONLY } from "../../http/json-patch.ts";
import { FOREIGN_KEY_VIOLATION, pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import { slugify } from "../../lib/slug.ts";
import type { OrgResourceSpec } from "./spec.ts";
import { dataError, Name, nullable, patchDocumentWithExtras, ruleError, Slug, text, validateDocument } from "./document.ts";
import { blueprintAttributes, mergeAttributes } from "../blueprints/service.ts";
import type { NodeType } from "../blueprints/model.ts";
import type { PatchOperations } from "../../http/json-patch.ts";
import {
  deleteResource, findOrganization, findResource, insertResource, listResources, updateResource,
  type OrgRow, type ResourceRow,
} from "./org-resource-repo.ts";

export { Slug } from "./document.ts";

const Description = nullable(text(100_000));

/**
 * Entities whose `attributes` blueprints define (§13.3), by table. Extra keys of a create
 * body or a patched document become attributes when an enabled blueprint of that type
 * declares them (validated as JSON Schema, 422 at ["body", key]); other keys are dropped.
 */
const BLUEPRINT_TYPES: Record<string, NodeType> = {
  teams: "Team", environments: "Environment", project_types: "ProjectType", link_definitions: "LinkDefinition",
};
/** Keys of a response that are never attributes. */
const NOT_ATTRIBUTES = ["id", "organization", "organization_id", "relationships", "created_at", "updated_at", "attributes"];
/** The keys of `doc` that are not columns of `schema`: what blueprint attributes are made of. */
export const extrasOf = (doc: Record<string, unknown>, schema: TObject) =>
  Object.fromEntries(Object.entries(doc).filter(([key]) => !(key in schema.properties) && !NOT_ATTRIBUTES.includes(key)));
const Icon = nullable(text(2048));

/** The full, stored document of an entity: what create and PATCH results are checked against. */
export function documentSchema(spec: OrgResourceSpec): TObject {
  return Type.Object({
    name: Name, slug: Slug, description: Description,
    ...(spec.hasIcon ? { icon: Icon } : {}),
    ...spec.fields,
  });
}

/** The create body: name required, slug required unless derived, the rest optional. */
export function createSchema(spec: OrgResourceSpec): TObject {
  const optional = Object.fromEntries(Object.entries(spec.fields).map(([key, schema]) => [key, Type.Optional(schema)]));
  return Type.Object({
    name: Name,
    slug: spec.slugFromName ? Type.Optional(Slug) : Slug,
    description: Type.Optional(Description),
    ...(spec.hasIcon ? { icon: Type.Optional(Icon) } : {}),
    ...optional,
  }, BLUEPRINT_TYPES[spec.table] ? { additionalProperties: true } : {}); // blueprint attributes pass through to the service
}

const READ_ONLY = [...DEFAULT_READ_ONLY, "/organization"];

export interface EntityJson {
  id: string;
  slug: string;
  name: string;
  organization: { id: string; name: string; slug: string };
  relationships: Record<string, { href: string; count: number }>;
  [field: string]: unknown;
}

export function orgResourceService(sql: Database, spec: OrgResourceSpec, prefix: string) {
  const schema = documentSchema(spec);
  const columns = Object.keys(schema.properties);
  const blueprintType = BLUEPRINT_TYPES[spec.table];
  /**
   * The attributes to store (undefined: the entity has none). The whole document is checked,
   * so a blueprint property naming a column (e.g. a required `description`) constrains the
   * column; only the other keys are stored as attributes.
   */
  const attributesOf = async (doc: Record<string, unknown>, stored?: Record<string, unknown>) => {
    if (!blueprintType) return undefined;
    const merged = mergeAttributes(await blueprintAttributes(sql, blueprintType), doc, stored);
    return extrasOf(merged, schema);
  };
  const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value ?? null);

  async function toJson(row: ResourceRow, org: OrgRow): Promise<EntityJson> {
    const relationships = Object.fromEntries(await Promise.all(spec.relationships.map(async (r) => [
      r.key, { href: r.href(org.slug, row.slug, prefix), count: await r.count(sql, row) },
    ])));
    return {
      ...row.attributes,
      id: row.id,
      name: String(row.name),
      slug: row.slug,
      ...Object.fromEntries(columns.map((c) => [c, row[c] ?? null])),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
      organization: { id: org.id, name: org.name, slug: org.slug },
      relationships,
    };
  }

  async function organization(orgSlug: string): Promise<OrgRow> {
    const org = await findOrganization(sql, orgSlug);
    if (!org) throw new NotFoundError(`Organization with slug '${orgSlug}' not found`);
    return org;
  }

  async function load(orgSlug: string, slug: string) {
    const org = await organization(orgSlug);
    const row = await findResource(sql, spec, org.id, slug);
    if (!row) throw new NotFoundError(`${spec.label} with slug '${slug}' not found`);
    return { org, row };
  }

  function checkRules(doc: Record<string, unknown>): void {
    const problem = spec.check?.(doc);
    if (problem) throw ruleError(problem);
  }

  async function write<T>(slug: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (pgCode(error) === UNIQUE_VIOLATION) throw new ConflictError(`${spec.label} with slug '${slug}' already exists`);
      throw dataError(error) ?? error;
    }
  }

  return {
    async list(orgSlug: string) {
      const org = await organization(orgSlug);
      return Promise.all((await listResources(sql, spec, org.id)).map((row) => toJson(row, org)));
    },

    async get(orgSlug: string, slug: string) {
      const { org, row } = await load(orgSlug, slug);
      return toJson(row, org);
    },

    async create(orgSlug: string, body: Record<string, unknown>) {
      const org = await organization(orgSlug);
      const defaults = Object.fromEntries(Object.entries(schema.properties)
        .filter(([, property]) => "default" in property)
        .map(([key, property]) => [key, Value.Clone(property.default)]));
      const doc: Record<string, unknown> = { ...defaults, ...body };
      if (doc.slug === undefined && spec.slugFromName) {
        doc.slug = slugify(String(doc.name));
        if (!doc.slug) throw new UnprocessableError([{ type: "value_error", loc: ["body", "slug"], msg: "A slug cannot be derived from this name; give one", input: doc.name }]);
      }
      validateDocument(schema, doc);
      checkRules(doc);
      const values = Object.fromEntries(columns.map((c) => [c, doc[c]]));
      const attributes = await attributesOf(doc);
      const row = await write(String(doc.slug), () => insertResource(sql, spec, {
        id: newId(), organization_id: org.id, ...jsonColumns(sql, spec, values), ...(attributes ? { attributes: sql.json(attributes as never) } : {}),
      }));
      return toJson(row, org);
    },

    async patch(orgSlug: string, slug: string, operations: PatchOperations) {
      const { org, row } = await load(orgSlug, slug);
      // Blueprint attributes are patched at the top level, next to the columns (which win a clash).
      const current = { ...(blueprintType ? row.attributes : {}), ...Object.fromEntries(columns.map((c) => [c, row[c] ?? null])) };
      const { values, extras } = patchDocumentWithExtras(current, operations, READ_ONLY, schema);
      checkRules(values);
      const attributes = await attributesOf({ ...extrasOf(extras, schema), ...values }, row.attributes);
      const updated = await write(String(values.slug), () => updateResource(sql, spec, row.id, {
        ...jsonColumns(sql, spec, values), ...(attributes ? { attributes: sql.json(attributes as never) } : {}),
      }));
      return toJson(updated, org);
    },

    async remove(orgSlug: string, slug: string) {
      const { row } = await load(orgSlug, slug);
      const dependents = async () => (await Promise.all(spec.dependents.map(async (d) => [d.label, await d.count(sql, row.id)] as const)))
        .filter(([, n]) => n > 0);
      const refuse = (list: (readonly [string, number])[]) => new ConflictError(
        `${spec.label} '${slug}' still has ${list.length ? list.map(([label, n]) => `${n} ${label}`).join(", ") : "dependent records"}; remove or move them first`,
      );
      const blocking = await dependents();
      if (blocking.length) throw refuse(blocking);
      try {
        await deleteResource(sql, spec, row.id);
      } catch (error) {
        // Something was added between the check and the delete.
        if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw refuse(await dependents());
        throw error;
      }
    },
  };
}

/** postgres.js binds objects and arrays for jsonb columns only through sql.json(). */
function jsonColumns(sql: Database, spec: OrgResourceSpec, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => {
    const type = (spec.fields[key] as { type?: string } | undefined)?.type;
    return [key, (type === "array" || type === "object") && value !== null ? sql.json(value as never) : value];
  }));
}
