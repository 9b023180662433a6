/**
 * Input checks the routes' bodies get in the service. checkBody validates with TypeBox's
 * strict Value.Check: Elysia's normalization turns a JSON array into an object where a
 * record is expected, so bodies with maps bypass Elysia's validation. unstorable finds
 * what PostgreSQL would refuse with a data exception (a 500 if it reached SQL): NUL in
 * text and jsonb, lone UTF-16 surrogates (JSON.stringify writes `\ud800` escapes that
 * jsonb rejects); and the key `__proto__`, which responses could not carry back. All are
 * 422s located where they occur; a data exception that slips through is a 422 too.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ValidationError } from "elysia";
import { toValidationDetails, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { pgCode } from "../../infra/pg-errors.ts";

const storableString = (value: string) => !value.includes("\u0000") && value.isWellFormed();

/** Whether a lookup key (path or query parameter) can be sent to PostgreSQL at all. */
export const storable = storableString;

/** Every string (keys included) in `value` that cannot be stored, with its location. */
export function unstorable(value: unknown, loc: (string | number)[] = ["body"], found: ValidationDetail[] = []): ValidationDetail[] {
  if (found.length >= 20) return found;
  if (typeof value === "string") {
    if (!storableString(value)) found.push({ type: "string_unstorable", loc, msg: "String contains characters that cannot be stored (NUL or a lone surrogate)", input: value });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => unstorable(item, [...loc, index], found));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (!storableString(key)) found.push({ type: "key_unstorable", loc: [...loc, key], msg: "Key contains characters that cannot be stored (NUL or a lone surrogate)", input: key });
      // Stored fine, but lost when a response object is rebuilt by assignment: refuse it up front.
      if (key === "__proto__") found.push({ type: "key_reserved", loc: [...loc, key], msg: "The key __proto__ is reserved", input: key });
      unstorable(item, [...loc, key], found);
    }
  }
  return found;
}

export function assertStorable(value: unknown): void {
  const found = unstorable(value);
  if (found.length) throw new UnprocessableError(found);
}

/** SQLSTATE class 22 (data exception) from a write: the client's value, so a 422. */
export function dataError(error: unknown): UnprocessableError | undefined {
  if (!pgCode(error)?.startsWith("22")) return undefined;
  return new UnprocessableError([{ type: "value_error", loc: ["body"], msg: "A value cannot be stored (invalid characters or out of range)" }]);
}

/** `value` against `schema` with TypeBox's own semantics: 422 in the D2 shape, located in the body. */
export function checkBody<S extends TSchema>(schema: S, value: unknown): Static<S> {
  if (!Value.Check(schema, value)) throw new UnprocessableError(toValidationDetails(new ValidationError("body", schema, value)));
  return value as Static<S>;
}
