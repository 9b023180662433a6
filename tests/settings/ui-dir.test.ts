/**
 * IMBI_API_UI_DIR (addition, D8): set, the binary serves the SPA at the root of the origin;
 * unset, nothing is mounted and unknown root paths stay JSON 404s. A directory that does not
 * exist (or has no index.html) stops startup with exit 2 naming the setting.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ConfigError } from "../../src/config/load.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { configSandbox, SECRETS } from "../helpers/config.ts";
import { runImbi } from "../helpers/process.ts";
import { createFixture, type Fixture } from "../features/web-ui/fixture.ts";

let fixture: Fixture;
let withUi: TestApp;
let withUiAtRoot: TestApp;
let without: TestApp;
beforeAll(async () => {
  fixture = createFixture();
  [withUi, withUiAtRoot, without] = await Promise.all([
    startTestApp({ IMBI_API_URL: "http://localhost:8000/api", IMBI_API_UI_DIR: fixture.ui }),
    startTestApp({ IMBI_API_URL: "", IMBI_API_UI_DIR: fixture.ui }),
    startTestApp({ IMBI_API_URL: "http://localhost:8000/api" }),
  ]);
});
afterAll(async () => {
  await Promise.all([withUi, withUiAtRoot, without].map((t) => t.close()));
  fixture.remove();
});

function problemsFor(env: Record<string, string>): string[] {
  try {
    configSandbox().load({ ...SECRETS, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("IMBI_API_UI_DIR", () => {
  test.each(["/", "/login", "/assets/app-3f9a1c2b.js", "/version.json"])("set: %s is served (200); unset: JSON 404", async (path) => {
    expect((await withUi.req(path)).status).toBe(200);
    const plain = await without.req(path);
    expect(plain.status).toBe(404);
    expect(await plain.json()).toEqual({ detail: "Not Found" });
  });

  test("the API answers the same either way", async () => {
    for (const t of [withUi, without]) {
      expect((await t.req("/api/status")).status).toBe(200);
      expect(await (await t.req("/api/nope")).json()).toEqual({ detail: "Not Found" });
    }
  });

  test("with no API prefix, the placeholder is empty and the API's first segments stay the API's", async () => {
    const html = await (await withUiAtRoot.req("/login")).text();
    expect(html).toContain(`<meta name="api-url" content="">`);
    expect((await withUiAtRoot.req("/status")).headers.get("content-type")).toContain("application/json");
    expect((await withUiAtRoot.req("/organizations")).status).toBe(401);
    const unknown = await withUiAtRoot.req("/organizations/acme/no/such/thing");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Not Found" });
    expect((await withUiAtRoot.req("/dashboard")).status).toBe(200);
  });

  test("a directory that does not exist is a config error naming the setting", () => {
    const problems = problemsFor({ IMBI_API_UI_DIR: "/nonexistent/imbi-ui" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith('IMBI_API_UI_DIR="/nonexistent/imbi-ui" (environment): is not an existing directory');
  });

  test("a directory without index.html, or a file, is refused", () => {
    const empty = mkdtempSync(join(tmpdir(), "imbi-ui-empty-"));
    expect(problemsFor({ IMBI_API_UI_DIR: empty })[0]).toContain("has no index.html");
    expect(problemsFor({ IMBI_API_UI_DIR: join(fixture.ui, "index.html") })[0]).toContain("is not an existing directory");
    expect(problemsFor({ IMBI_API_UI_DIR: fixture.ui })).toEqual([]);
    expect(problemsFor({ IMBI_API_UI_DIR: "" })).toEqual([]);
  });

  test("imbi serve with a missing directory exits 2 naming IMBI_API_UI_DIR", () => {
    const { code, stderr } = runImbi(["serve"], { ...SECRETS, IMBI_API_UI_DIR: "/nonexistent/imbi-ui" });
    expect(code).toBe(2);
    expect(stderr).toContain("IMBI_API_UI_DIR");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
