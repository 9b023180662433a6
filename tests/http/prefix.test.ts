/** IMBI_API_URL's path prefixes every API route; /openapi.json and /docs stay at the root. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";

describe("API prefix from IMBI_API_URL", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_URL: "https://imbi.example.com/api/" });
  });
  afterAll(() => t.close());

  test("GET /api/status answers; GET /status does not exist", async () => {
    const ok = await t.req("/api/status");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ service: "imbi", status: "ok" });
    const missing = await t.req("/status");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Not Found" });
  });

  test("GET /openapi.json is at the root and lists prefixed paths", async () => {
    const response = await t.req("/openapi.json");
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { openapi: string; info: { title: string }; paths: Record<string, unknown> };
    expect(spec.openapi).toStartWith("3.");
    expect(spec.info.title).toBe("Imbi");
    expect(Object.keys(spec.paths)).toContain("/api/status");
    expect(Object.keys(spec.paths).some((p) => p.startsWith("/docs"))).toBe(false);
    expect((await t.req("/api/openapi.json")).status).toBe(404);
  });

  test("GET /docs renders from local assets only (no CDN)", async () => {
    const page = await t.req("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(source).toStartWith("/docs/");
      const asset = await t.req(source);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(10);
    }
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});

describe("no prefix when IMBI_API_URL is empty", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_URL: "" });
  });
  afterAll(() => t.close());

  test("GET /status answers at the root", async () => {
    expect((await t.req("/status")).status).toBe(200);
  });
});
