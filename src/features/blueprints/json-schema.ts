/**
 * JSON Schema (draft 2020-12) for blueprints, with ajv + ajv-formats: every keyword is
 * enforced (pattern, minimum, format, oneOf, maxItems, …), unlike the reference which only
 * maps type/required/enum. A schema is compiled once and cached by a caller-given key
 * (blueprint id + version + the properties it owns); each compile gets its own Ajv
 * instance so `$id`s and annotation keywords of one blueprint never clash with another's.
 *
 * Strictness: unknown keywords are refused (a typo such as `minimun` is a 422 when the
 * blueprint is saved), except annotation keywords starting with `x-` (`x-ui`, `x-display`).
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ValidationDetail } from "../../http/errors.ts";

export type JsonSchema = Record<string, unknown>;

const CACHE_LIMIT = 2000;
const cache = new Map<string, ValidateFunction>();

/** `x-…` keys anywhere in the schema, registered as annotation-only keywords. */
function annotationKeywords(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => annotationKeywords(item, found));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith("x-")) found.add(key);
      annotationKeywords(item, found);
    }
  }
  return found;
}

function newAjv(schema: JsonSchema) {
  const ajv = new Ajv2020({
    allErrors: true, useDefaults: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false,
    validateFormats: true,
  });
  addFormats(ajv);
  for (const keyword of annotationKeywords(schema)) ajv.addKeyword({ keyword });
  return ajv;
}

/** Compiles `schema`; throws an Error whose message says what is wrong with it. */
export function compileSchema(schema: JsonSchema, key?: string): ValidateFunction {
  const hit = key === undefined ? undefined : cache.get(key);
  if (hit) return hit;
  const validate = newAjv(schema).compile(schema);
  if (key !== undefined) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, validate);
  }
  return validate;
}

/** Why `schema` is not a usable JSON Schema, or undefined when it compiles. */
export function schemaProblem(schema: JsonSchema): string | undefined {
  try {
    compileSchema(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message.slice(0, 1000);
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    current = current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/** ajv errors as D2 422 details, located under `loc` (e.g. ["body"] or ["body", "environments", "prod"]). */
export function toDetails(errors: ErrorObject[] | null | undefined, data: unknown, loc: (string | number)[]): ValidationDetail[] {
  const details: ValidationDetail[] = [];
  for (const error of errors ?? []) {
    const path = error.instancePath.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, "/").replace(/~0/g, "~")));
    if (error.keyword === "required") {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      details.push({ type: "missing", loc: [...loc, ...path, missing], msg: "Field required" });
      continue;
    }
    details.push({
      type: error.keyword === "type" ? "type_error" : error.keyword,
      loc: [...loc, ...path],
      msg: `${error.message ?? "is invalid"}`,
      input: valueAt(data, error.instancePath),
    });
  }
  return details;
}
