/**
 * The effective configuration as `imbi config` prints it: TOML an operator could paste
 * into a config file, each value followed by where it came from. Secrets are never shown.
 */
import type { TObject } from "@sinclair/typebox";
import { SECTIONS } from "./settings.ts";
import { metaOf } from "./setting.ts";
import { describeSource } from "./sources.ts";
import { tomlValue } from "./document.ts";
import type { LoadedConfig } from "./load.ts";

export const REDACTED = "<redacted>";

/** Masks the password in a DSN; keeps the rest so the operator sees which server it is. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "****";
    return url.toString();
  } catch {
    return REDACTED;
  }
}

export interface EffectiveSetting {
  section: string;
  key: string;
  env: string;
  value: unknown;
  source: string;
}

export function effectiveSettings(config: LoadedConfig): EffectiveSetting[] {
  const rows: EffectiveSetting[] = [];
  for (const [section, schema] of Object.entries(SECTIONS) as [string, TObject][]) {
    const values = (config.settings as unknown as Record<string, Record<string, unknown>>)[section]!;
    for (const [key, property] of Object.entries(schema.properties)) {
      const meta = metaOf(property);
      let value = values[key];
      if (meta.secret && value !== null) value = REDACTED;
      else if (meta.credentialUrl && typeof value === "string") value = redactUrl(value);
      const source = config.sources.get(`${section}.${key}`) ?? { kind: "default" as const };
      rows.push({ section, key, env: meta.env, value, source: describeSource(source) });
    }
  }
  return rows;
}

export function formatAsToml(rows: EffectiveSetting[]): string {
  const lines: string[] = [];
  let current = "";
  for (const row of rows) {
    if (row.section !== current) {
      if (current) lines.push("");
      lines.push(`[${row.section}]`);
      current = row.section;
    }
    const assignment = row.value === null ? `# ${row.key} =` : `${row.key} = ${tomlValue(row.value)}`;
    lines.push(`${assignment.padEnd(44)} # ${row.env} <- ${row.source}`);
  }
  return lines.join("\n");
}
