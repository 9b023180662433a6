/** GET / and GET /* with IMBI_API_UI_DIR set: files, SPA fallback, caching, placeholder, API precedence. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { createFixture, HASHED_JS, type Fixture } from "./fixture.ts";

let fixture: Fixture;
let t: TestApp;
beforeAll(async () => {
  fixture = createFixture();
  t = await startTestApp({ IMBI_API_URL: "http://localhost:8000/api", IMBI_API_UI_DIR: fixture.ui });
});
afterAll(async () => {
  await t.close();
  fixture.remove();
});

const IMMUTABLE = "public, max-age=31536000, immutable";

describe("GET / (SPA entry document)", () => {
  test.each(["/", "/index.html", "/login", "/organizations/acme/projects", "/deeply/nested/route/"])(
    "%s answers index.html with no-cache", async (path) => {
      const response = await t.req(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain(`<div id="root">`);
    });

  test("the VITE_API_URL placeholder (any spacing) becomes the API prefix", async () => {
    const html = await (await t.req("/login")).text();
    expect(html).not.toContain("{{");
    expect(html).toContain(`<meta name="api-url" content="/api">`);
    expect(html).toContain(`{"VITE_API_URL": "/api"}`);
  });

  test("If-None-Match with the ETag answers 304 without a body", async () => {
    const first = await t.req("/");
    const etag = first.headers.get("etag")!;
    expect(etag).toBeTruthy();
    const again = await t.req("/projects", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  test("HEAD / over a socket: the headers, Content-Length, no body", async () => {
    const response = await fetch(`${t.listen()}/`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(await (await t.req("/")).text()));
    expect(await response.text()).toBe("");
  });
});

describe("GET /* (files)", () => {
  test.each([
    [`/${HASHED_JS}`, "text/javascript", IMMUTABLE],
    ["/assets/app-BmX-kQza.css", "text/css", IMMUTABLE],
    ["/assets/logo.svg", "image/svg+xml", "public, max-age=300"],
    ["/robots.txt", "text/plain", "public, max-age=300"],
    ["/version.json", "application/json", "no-cache"],
    ["/sw.js", "text/javascript", "no-cache"],
    ["/alias.js", "text/javascript", "public, max-age=300"],
  ])("%s: %s, %s", async (path, type, cacheControl) => {
    const response = await t.req(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith(type);
    expect(response.headers.get("cache-control")).toBe(cacheControl);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("a file's ETag revalidates to 304; a stale one gets the file", async () => {
    const first = await t.req(`/${HASHED_JS}`);
    const etag = first.headers.get("etag")!;
    const cached = await t.req(`/${HASHED_JS}`, { headers: { "if-none-match": `"other", ${etag}` } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("cache-control")).toBe(IMMUTABLE);
    const stale = await t.req(`/${HASHED_JS}`, { headers: { "if-none-match": `W/"stale"` } });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe("console.log('app');\n");
  });

  test("HEAD of a file over a socket: headers, length, no body", async () => {
    const response = await fetch(`${t.listen()}/version.json`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-length")).toBe(String(`{"version":"1.2.3"}`.length));
    expect(await response.text()).toBe("");
  });

  test("HEAD of a missing file is a 404", async () => {
    expect((await fetch(`${t.listen()}/favicon.ico`, { method: "HEAD" })).status).toBe(404);
  });

  test.each(["/assets/missing-3f9a1c2b.js", "/favicon.ico", "/nope/logo.png"])(
    "a missing file %s is a JSON 404, not index.html", async (path) => {
      const response = await t.req(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not Found" });
    });

  test("other methods are not served", async () => {
    expect((await t.req("/login", { method: "POST" })).status).toBe(404);
  });
});

describe("the API always wins", () => {
  test.each([
    "/api", "/api/", "/api/no-such-route", "/api/organizations/acme/nothing-here/x",
    "/openapi.json/x", "/docs/nothing.js", "/status", "/status/x", "/.well-known/x", "/mcp/sse",
  ])("%s is a JSON 404, never index.html", async (path) => {
    const response = await t.req(path);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ detail: "Not Found" });
  });

  test.each([["/api/status", "application/json"], ["/openapi.json", "application/json"], ["/docs", "text/html"]])(
    "%s is still the API's", async (path, type) => {
      const response = await t.req(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
      expect(await response.text()).not.toContain(`<div id="root">`);
    });

  test.each([["/.well-known/oauth-authorization-server", 200], ["/mcp", 401]])(
    "%s answers as the API (JSON %d), never index.html", async (path, status) => {
      const response = await t.req(path, path === "/mcp" ? { method: "POST" } : {});
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.text()).not.toContain(`<div id="root">`);
    });

  test("an API route that needs credentials still answers 401", async () => {
    expect((await t.req("/api/organizations")).status).toBe(401);
  });

  test("the SPA routes are not in the OpenAPI document", async () => {
    const spec = (await (await t.req("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).filter((p) => !p.startsWith("/api"))).toEqual([]);
  });
});
