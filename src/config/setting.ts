/**
 * The building block of the settings declarations: a TypeBox schema that also carries
 * where the value comes from (env var, TOML key) and how to read it from a string.
 *
 * Everything the app knows about a setting — its type, default, range, documentation,
 * env name and whether it is a secret — lives on this one object, so `imbi config`,
 * startup errors and README's settings table are all generated from the declarations.
 */
import { Type, type TSchema, type SchemaOptions } from "@sinclair/typebox";

/** How an environment-variable string becomes a typed value. */
export type EnvParser = (raw: string) => unknown;

export interface SettingMeta {
  /** Environment variable name, exactly as the seed spells it. */
  env: string;
  /** Never printed: `imbi config` shows `<redacted>`, startup errors show no value. */
  secret?: boolean;
  /** A URL whose password must be masked when printed. */
  credentialUrl?: boolean;
  /** True for settings Imbi adds beyond the seed (README marks them). */
  addition?: boolean;
  /** Parses the env string; defaults follow the schema type (see `parserFor`). */
  parse?: EnvParser;
  /** Extra validation after the schema check; returns a problem or undefined. */
  check?: (value: never) => string | undefined;
  /** Human form of what is expected, used in error messages. */
  expected?: string;
}

export type Setting<T extends TSchema = TSchema> = T & { "x-imbi": SettingMeta };

export function setting<T extends TSchema>(schema: T, meta: SettingMeta): Setting<T> {
  return Object.assign(schema, { "x-imbi": meta });
}

export function metaOf(schema: TSchema): SettingMeta {
  const meta = (schema as Partial<Setting>)["x-imbi"];
  if (!meta) throw new Error("schema is not a setting");
  return meta;
}

/** Optional string with no default (the seed's "(none)"). */
export function optionalString(options: SchemaOptions = {}) {
  return Type.Union([Type.String(options), Type.Null()], { default: null, description: options.description });
}

const TRUE = new Set(["1", "true", "yes", "on", "y", "t"]);
const FALSE = new Set(["0", "false", "no", "off", "n", "f"]);

export function parseBoolean(raw: string): unknown {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return raw; // left as a string so the schema check reports "expected boolean"
}

export function parseNumber(raw: string): unknown {
  const v = raw.trim();
  if (v === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return raw;
  return Number(v);
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Empty env value means "not set" for optional strings, as pydantic treats `FOO=`. */
export function parseOptionalString(raw: string): unknown {
  return raw === "" ? null : raw;
}

/** Picks the env parser from the schema's JSON type when the setting names none. */
export function parserFor(schema: TSchema): EnvParser {
  const meta = metaOf(schema);
  if (meta.parse) return meta.parse;
  const type = (schema as { type?: string }).type;
  if (type === "boolean") return parseBoolean;
  if (type === "integer" || type === "number") return parseNumber;
  if (type === "array" || type === "object") return parseJson;
  if ((schema as { anyOf?: unknown[] }).anyOf) return parseOptionalString;
  return (raw) => raw;
}
