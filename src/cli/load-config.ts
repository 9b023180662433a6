/** Loads settings for a CLI command; a bad setting ends the process with exit code 2. */
import { ConfigError, loadConfig, type LoadedConfig } from "../config/load.ts";

export const EXIT_CONFIG = 2;

export function loadConfigOrExit(): LoadedConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`imbi: the configuration is invalid (${error.problems.length} problem${error.problems.length > 1 ? "s" : ""}):\n`);
    for (const problem of error.problems) process.stderr.write(`  - ${problem}\n`);
    process.stderr.write("See config.example.toml or run `imbi config --help`.\n");
    process.exit(EXIT_CONFIG);
  }
}
