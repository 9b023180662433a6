/**
 * Turns a raw value into a typed one for a single setting, or into one readable problem
 * line naming the setting, where the value came from and what was expected.
 */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { metaOf, parserFor } from "./setting.ts";
import type { Source } from "./sources.ts";

export function describeExpected(schema: TSchema): string {
  const meta = metaOf(schema);
  if (meta.expected) return meta.expected;
  const s = schema as { type?: string; minimum?: number; maximum?: number; minLength?: number };
  if (s.type === "boolean") return "true or false";
  if (s.type === "integer") return `an integer from ${s.minimum} to ${s.maximum}`;
  if (s.type === "number") return `a number from ${s.minimum} to ${s.maximum}`;
  if (s.type === "string" && s.minLength) return `a string of at least ${s.minLength} characters`;
  return "a string";
}

/** `IMBI_API_PORT="abc" (environment)` or `[server] port = "abc" (/etc/imbi/config.toml)`. */
function describeOrigin(section: string, key: string, schema: TSchema, raw: unknown, source: Source): string {
  const meta = metaOf(schema);
  const shown = meta.secret ? "" : JSON.stringify(typeof raw === "string" ? raw.slice(0, 80) : raw);
  if (source.kind === "file") return `[${section}] ${key}${shown ? ` = ${shown}` : ""} (${source.path})`;
  const where = source.kind === "dotenv" ? source.path : "environment";
  return `${meta.env}${shown ? `=${shown}` : ""} (${where})`;
}

export type Checked = { ok: true; value: unknown } | { ok: false; problem: string };

/** Strings from env/.env go through the setting's parser; TOML values already have types. */
export function checkValue(section: string, key: string, schema: TSchema, raw: unknown, source: Source): Checked {
  const expectsString = (schema as { type?: string }).type === "string";
  const value = typeof raw === "string" && !expectsString ? parserFor(schema)(raw) : raw;
  const fail = (why: string): Checked => ({
    ok: false,
    problem: `${describeOrigin(section, key, schema, raw, source)}: ${why}expected ${describeExpected(schema)}`,
  });
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value).First();
    return fail(first?.path ? `${first.path} ${first.message.toLowerCase()}; ` : "");
  }
  const extra = metaOf(schema).check?.(value as never);
  return extra ? fail(`${extra}; `) : { ok: true, value };
}
