/**
 * Where raw setting values come from: the process environment, `.env` in the working
 * directory, and the TOML file chain. Each raw value keeps its origin so errors and
 * `imbi config` can name it.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { parseDotenv } from "../lib/dotenv.ts";

export type Source =
  | { kind: "default" }
  | { kind: "env"; name: string }
  | { kind: "dotenv"; name: string; path: string }
  | { kind: "file"; path: string; key: string }
  | { kind: "generated"; name: string }
  | { kind: "derived"; reason: string };

export function describeSource(source: Source): string {
  switch (source.kind) {
    case "default": return "default";
    case "env": return `environment ${source.name}`;
    case "dotenv": return `${source.path} ${source.name}`;
    case "file": return `${source.path} ${source.key}`;
    case "generated": return `generated at startup (${source.name} unset)`;
    case "derived": return source.reason;
  }
}

export interface EnvValue {
  value: string;
  source: Source;
}

export interface LocatedOptions {
  /** Process environment; defaults to process.env. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
  /** The system-wide file; tests point it elsewhere. */
  systemFile?: string;
}

/** The real environment wins over `.env`, as pydantic-settings does. */
export function readEnvironment(options: LocatedOptions, problems: string[]): Map<string, EnvValue> {
  const env = options.env ?? process.env;
  const merged = new Map<string, EnvValue>();
  const dotenvPath = join(options.cwd ?? process.cwd(), ".env");
  if (existsSync(dotenvPath)) {
    const { values, badLines } = parseDotenv(readFileSync(dotenvPath, "utf8"));
    for (const line of badLines) problems.push(`${dotenvPath} line ${line}: expected KEY=value`);
    for (const [name, value] of Object.entries(values)) {
      merged.set(name, { value, source: { kind: "dotenv", name, path: dotenvPath } });
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) merged.set(name, { value, source: { kind: "env", name } });
  }
  return merged;
}

export interface TomlFile {
  path: string;
  data: Record<string, unknown>;
}

/** The chain in priority order: ./config.toml, ~/.config/imbi/config.toml, /etc/imbi/config.toml. */
export function configFilePaths(options: LocatedOptions): string[] {
  return [
    join(options.cwd ?? process.cwd(), "config.toml"),
    join(options.home ?? userHome(), ".config", "imbi", "config.toml"),
    options.systemFile ?? "/etc/imbi/config.toml",
  ];
}

/** $HOME, else the passwd entry; a uid without either (some containers) has no user file. */
function userHome(): string {
  try {
    return process.env.HOME || homedir();
  } catch {
    return "/nonexistent";
  }
}

export function readTomlFiles(options: LocatedOptions, problems: string[]): TomlFile[] {
  const files: TomlFile[] = [];
  for (const path of configFilePaths(options)) {
    if (!existsSync(path)) continue;
    try {
      files.push({ path, data: parseToml(readFileSync(path, "utf8")) as Record<string, unknown> });
    } catch (error) {
      if (error instanceof TomlError) {
        problems.push(`${path} line ${error.line}, column ${error.column}: invalid TOML (${error.message.split("\n")[0]})`);
      } else {
        problems.push(`${path}: cannot be read (${(error as Error).message})`);
      }
    }
  }
  return files;
}
