/** The pure rules behind the web UI: hashed names, cache classes, safe segments, ETags, the placeholder value. */
import { describe, expect, test } from "bun:test";
import { cacheControlFor, isHashedName, looksLikeFile, matchesEtag, safeSegments } from "../../../src/features/web-ui/resolve.ts";
import { reservedPrefixes, safeUrlPath } from "../../../src/features/web-ui/routes.ts";

describe("isHashedName", () => {
  test.each(["index-3f9a1c2b.js", "app.BmX-kQza.css", "vendor-react-Ab12cd34.js", "chunk-a1b2c3d4e5f6.mjs", "font-DkqQlXYz.woff2"])(
    "%s is content-hashed", (name) => expect(isHashedName(name)).toBe(true));
  test.each(["index.js", "logo.svg", "my-long-name-file.js", "app-3f9a.js", "README", "service-worker.js"])(
    "%s is not", (name) => expect(isHashedName(name)).toBe(false));
});

describe("cacheControlFor", () => {
  test.each([
    ["/index.html", "no-cache"], ["/version.json", "no-cache"], ["/sw.js", "no-cache"], ["/service-worker.js", "no-cache"],
    ["/assets/index-3f9a1c2b.js", "public, max-age=31536000, immutable"], ["/favicon.ico", "public, max-age=300"],
  ])("%s: %s", (path, expected) => expect(cacheControlFor(path)).toBe(expected));
});

describe("safeSegments", () => {
  test.each(["/..", "/a/../b", "/%2e%2e/x", "/a%2f..%2fb", "/a%5cb", "/a%00", "/.git/config", "/%E0%A4%A"])(
    "%s is refused", (path) => expect(safeSegments(path)).toBeUndefined());
  test("ordinary paths split into decoded segments", () => {
    expect(safeSegments("/assets//my%20file.js")).toEqual(["assets", "my file.js"]);
  });
});

test("looksLikeFile", () => {
  expect(looksLikeFile("/assets/x.js")).toBe(true);
  expect(looksLikeFile("/projects/acme")).toBe(false);
  expect(looksLikeFile("/login/")).toBe(false);
});

test("matchesEtag: lists, weak comparison, *", () => {
  expect(matchesEtag(`"a", W/"b"`, `"b"`)).toBe(true);
  expect(matchesEtag("*", `"x"`)).toBe(true);
  expect(matchesEtag(`"a"`, `"b"`)).toBe(false);
  expect(matchesEtag(null, `"b"`)).toBe(false);
});

test("safeUrlPath percent-encodes anything that could break out of HTML or a JS string", () => {
  expect(safeUrlPath("/api")).toBe("/api");
  expect(safeUrlPath(`/a'b"<c>&\\`)).toBe("/a%27b%22%3Cc%3E%26%5C");
  expect(safeUrlPath("/é")).toBe("/%C3%A9");
});

test("reservedPrefixes: the prefix, or the API's first segments when there is none", () => {
  expect(reservedPrefixes("/api")).toEqual(["/api", "/openapi.json", "/docs", "/status", "/.well-known", "/mcp"]);
  expect(reservedPrefixes("", ["/status", "/organizations/:org", "/organizations", "/*", "/:x"]))
    .toEqual(["/openapi.json", "/docs", "/status", "/.well-known", "/mcp", "/organizations"]);
});
