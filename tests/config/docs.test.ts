/** config.example.toml and docs/settings.md are generated from the declarations and must be current. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { renderExampleToml, renderSettingsTable } from "../../src/config/document.ts";
import { configSandbox, SECRETS } from "../helpers/config.ts";

const root = join(import.meta.dir, "../..");

test("config.example.toml is current (run `bun scripts/generate-docs.ts`)", async () => {
  expect(await Bun.file(join(root, "config.example.toml")).text()).toBe(renderExampleToml());
});

test("docs/settings.md is current (run `bun scripts/generate-docs.ts`)", async () => {
  expect(await Bun.file(join(root, "docs/settings.md")).text()).toBe(renderSettingsTable());
});

test("config.example.toml loads as-is and yields the defaults", async () => {
  const box = configSandbox();
  box.write(join(box.cwd, "config.toml"), await Bun.file(join(root, "config.example.toml")).text());
  const { settings } = box.load(SECRETS);
  expect(settings.server.port).toBe(8000);
  expect(settings.storage.allowed_content_types).toContain("application/pdf");
});
