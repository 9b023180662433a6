/** Regenerates config.example.toml and docs/settings.md from the settings declarations. */
import { join } from "node:path";
import { renderExampleToml, renderSettingsTable } from "../src/config/document.ts";

const root = join(import.meta.dir, "..");
await Bun.write(join(root, "config.example.toml"), renderExampleToml());
await Bun.write(join(root, "docs/settings.md"), renderSettingsTable());
console.log("wrote config.example.toml and docs/settings.md");
