/**
 * Builds the effective settings: per key, environment (incl. `.env`) > ./config.toml >
 * ~/.config/imbi/config.toml > /etc/imbi/config.toml > default. Records where every value
 * came from, collects every problem before failing, and applies the seed's derived rules
 * (Mailpit auto-config, generated secrets).
 */
import { Value } from "@sinclair/typebox/value";
import type { TObject } from "@sinclair/typebox";
import { SECTIONS, type Settings } from "./settings.ts";
import { metaOf } from "./setting.ts";
import { checkValue } from "./validate.ts";
import { applyDerivedRules } from "./derived.ts";
import { readEnvironment, readTomlFiles, type EnvValue, type LocatedOptions, type Source, type TomlFile } from "./sources.ts";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export interface LoadedConfig {
  settings: Settings;
  /** "section.key" → where the effective value came from. */
  sources: Map<string, Source>;
  /** Things an operator should know at startup (e.g. generated secrets). */
  warnings: string[];
}

function findInFiles(files: TomlFile[], section: string, key: string): { raw: unknown; source: Source } | undefined {
  for (const file of files) {
    const table = file.data[section];
    if (table && typeof table === "object" && key in table) {
      return { raw: (table as Record<string, unknown>)[key], source: { kind: "file", path: file.path, key: `[${section}] ${key}` } };
    }
  }
  return undefined;
}

function unknownKeys(files: TomlFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const [section, table] of Object.entries(file.data)) {
      const schema = (SECTIONS as Record<string, TObject>)[section];
      if (!schema) {
        problems.push(`${file.path}: unknown section [${section}]; known sections: ${Object.keys(SECTIONS).join(", ")}`);
      } else if (typeof table !== "object" || table === null || Array.isArray(table)) {
        problems.push(`${file.path}: ${section} must be a table ([${section}])`);
      } else {
        for (const key of Object.keys(table)) {
          if (!(key in schema.properties)) problems.push(`${file.path}: unknown setting [${section}] ${key}`);
        }
      }
    }
  }
  return problems;
}

export function loadConfig(options: LocatedOptions = {}): LoadedConfig {
  const problems: string[] = [];
  const env = readEnvironment(options, problems);
  const files = readTomlFiles(options, problems);
  problems.push(...unknownKeys(files));
  const sources = new Map<string, Source>();
  const result: Record<string, Record<string, unknown>> = {};

  for (const [section, schema] of Object.entries(SECTIONS) as [string, TObject][]) {
    result[section] = {};
    for (const [key, property] of Object.entries(schema.properties)) {
      const fromEnv: EnvValue | undefined = env.get(metaOf(property).env);
      const found = fromEnv ? { raw: fromEnv.value as unknown, source: fromEnv.source } : findInFiles(files, section, key);
      if (!found) {
        result[section][key] = Value.Clone(property.default);
        sources.set(`${section}.${key}`, { kind: "default" });
        continue;
      }
      const checked = checkValue(section, key, property, found.raw, found.source);
      if (checked.ok) result[section][key] = checked.value;
      else problems.push(checked.problem);
      sources.set(`${section}.${key}`, found.source);
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const settings = result as unknown as Settings;
  const warnings: string[] = [];
  applyDerivedRules(settings, sources, env, problems, warnings);
  if (problems.length) throw new ConfigError(problems);
  return { settings, sources, warnings };
}

