/**
 * What the catalog's create and PATCH routes share: field schemas (plain TypeBox, so a
 * validated document is exactly what gets stored: Elysia's t.Integer would also pass
 * numeric strings), the JSON Patch body and its application to a stored document, and
 * the mapping of values PostgreSQL refuses (NUL characters, broken JSON escapes) to 422.
 */
import type { ValidationError } from "elysia";
import { Type, type TObject, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { toValidationDetails, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, type PatchOperations } from "../../http/json-patch.ts";
import { pgCode } from "../../infra/pg-errors.ts";
import { SLUG_MAX, SLUG_PATTERN } from "../../lib/slug.ts";

/** PostgreSQL text cannot hold NUL; such strings are refused by validation, not by SQL. */
const NO_NUL = "^[^\\u0000]*$";

export const Slug = Type.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: SLUG_MAX });
export const Name = Type.String({ minLength: 1, maxLength: 255, pattern: NO_NUL });
export const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: NO_NUL });
/** A nullable field; absent (e.g. after a JSON Patch `remove`) means null. */
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()], { default: null });

export const TagFormat = Type.Object({ label: text(64, 1), pattern: text(512, 1) });

/** Whether a client-supplied lookup key can be sent to PostgreSQL at all (no NUL). */
export const storable = (value: string) => !value.includes("\u0000");

/** A rule across fields: the offending field as a JSON pointer tail ("tag_formats/0/pattern"). */
export interface RuleProblem {
  field: string;
  msg: string;
  input?: unknown;
}

export function ruleError(problem: RuleProblem): UnprocessableError {
  const loc = problem.field.split("/").map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return new UnprocessableError([{ type: "value_error", loc: ["body", ...loc], msg: problem.msg, ...("input" in problem ? { input: problem.input } : {}) }]);
}

/** 422 in the D2 shape, with the same types and locations as Elysia's body validation. */
export function validateDocument(schema: TObject, document: unknown): void {
  if (Value.Check(schema, document)) return;
  throw new UnprocessableError(toValidationDetails({ type: "body", all: [...Value.Errors(schema, document)] } as unknown as ValidationError));
}

/**
 * Applies `operations` to `current` (read-only paths → 400, a failed `test` → 422), fills
 * removed fields with their defaults, validates the result against `schema` (422) and
 * returns exactly the schema's fields: unknown keys a patch adds are dropped.
 */
export function patchDocument(
  current: Record<string, unknown>, operations: PatchOperations, readOnly: string[], schema: TObject,
): Record<string, unknown> {
  return patchDocumentWithExtras(current, operations, readOnly, schema).values;
}

/**
 * patchDocument that also hands back the patched document's other keys (`extras`): the
 * candidate blueprint attributes, which the caller validates against the blueprints.
 */
export function patchDocumentWithExtras(
  current: Record<string, unknown>, operations: PatchOperations, readOnly: string[], schema: TObject,
): { values: Record<string, unknown>; extras: Record<string, unknown> } {
  const patched = applyJsonPatch(current, operations, readOnly);
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!(key in patched) && "default" in property) patched[key] = Value.Clone(property.default);
  }
  validateDocument(schema, patched);
  return {
    values: Object.fromEntries(Object.keys(schema.properties).map((key) => [key, patched[key]])),
    extras: Object.fromEntries(Object.entries(patched).filter(([key]) => !(key in schema.properties))),
  };
}

/** Values PostgreSQL cannot store (SQLSTATE class 22: data exceptions) are the client's: 422. */
export function dataError(error: unknown): UnprocessableError | undefined {
  if (!pgCode(error)?.startsWith("22")) return undefined;
  return new UnprocessableError([{ type: "value_error", loc: ["body"], msg: "A value cannot be stored (invalid characters or out of range)" }]);
}
