/**
 * GET /* never serves a file outside IMBI_API_UI_DIR: traversal in every encoding a server
 * can really receive (sent byte for byte over a socket), NUL, backslashes, hidden files and
 * symlinks whose target is outside. Each is a 404, and the secret never appears.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createFixture, rawGet, SECRET, type Fixture } from "./fixture.ts";

let fixture: Fixture;
let t: TestApp;
let base: string;
beforeAll(async () => {
  fixture = createFixture();
  t = await startTestApp({ IMBI_API_URL: "http://localhost:8000/api", IMBI_API_UI_DIR: fixture.ui });
  base = t.listen();
});
afterAll(async () => {
  await t.close();
  fixture.remove();
});

describe("GET /* path traversal", () => {
  test.each([
    "/../outside/secret.txt",
    "/assets/../../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/%2E%2E/outside/secret.txt",
    "/..%2foutside%2fsecret.txt",
    "/%2e%2e%2foutside%2fsecret.txt",
    "/assets/..%2f..%2foutside/secret.txt",
    "/assets/%2e%2e%2f%2e%2e%2foutside%2fsecret.txt",
    "/..%5coutside%5csecret.txt",
    "/%2e%2e%5c%2e%2e%5coutside%5csecret.txt",
    "/%252e%252e/outside/secret.txt",
    "/.%2e/outside/secret.txt",
    "/%2e./outside/secret.txt",
    `/%2f${"%2e%2e%2f".repeat(8)}etc%2fpasswd`,
    "/index.html%00.js",
    "/%00",
    "/%c0%ae%c0%ae/outside/secret.txt",
    "/%E0%A4%A",
    "/.env",
    "/%2eenv",
    "/assets/%2e%2e/.env",
  ])("%s is refused", async (target) => {
    const response = await rawGet(base, target);
    expect(response.status).toBe(404);
    expect(response.text).not.toContain(SECRET);
    expect(response.text).not.toContain("root:");
  });

  test.each(["//etc/passwd", "/./outside/secret", `/${"..%2f".repeat(6)}etc/passwd`])(
    "%s never reaches a file outside", async (target) => {
      const response = await rawGet(base, target);
      expect(response.text).not.toContain(SECRET);
      expect(response.text).not.toContain("root:");
    });
});

describe("GET /* symlinks", () => {
  test.each(["/leak.txt", "/escape/secret.txt", "/escape/"])("%s (target outside the directory) is a 404", async (path) => {
    const response = await t.req(path);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain(SECRET);
  });

  test("a symlink to a file inside the directory is served", async () => {
    const response = await t.req("/alias.js");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("console.log('app');\n");
  });
});
