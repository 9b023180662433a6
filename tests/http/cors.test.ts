/** CORS from IMBI_API_CORS_ALLOWED_ORIGINS, with credentials and the exposed headers of D2. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../helpers/app.ts";

describe("CORS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMBI_API_CORS_ALLOWED_ORIGINS: '["https://imbi.example.com","http://localhost:5173"]' });
  });
  afterAll(() => t.close());

  test("an allowed origin gets its origin back, credentials and the exposed headers", async () => {
    const response = await t.req("/status", { headers: { origin: "https://imbi.example.com" } });
    expect(response.headers.get("access-control-allow-origin")).toBe("https://imbi.example.com");
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    const exposed = response.headers.get("access-control-expose-headers") ?? "";
    for (const header of ["Link", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]) {
      expect(exposed).toContain(header);
    }
  });

  test("an allowed preflight answers with methods and the Authorization header", async () => {
    const response = await t.req("/status", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "PATCH", "access-control-request-headers": "authorization,content-type" },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(response.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect((response.headers.get("access-control-allow-headers") ?? "").toLowerCase()).toContain("authorization");
  });

  test("a preflight for /mcp allows the MCP transport headers", async () => {
    const response = await t.req("/mcp", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "authorization,mcp-protocol-version,mcp-session-id" },
    });
    expect(response.status).toBeLessThan(300);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    expect(allowed).toContain("mcp-protocol-version");
    expect(allowed).toContain("mcp-session-id");
  });

  test.each(["https://evil.example.com", "https://imbi.example.com.evil.com", "null"])("origin %s gets no CORS headers", async (origin) => {
    const simple = await t.req("/status", { headers: { origin } });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await t.req("/status", {
      method: "OPTIONS", headers: { origin, "access-control-request-method": "DELETE" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS with no allowed origins (the default)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  test("no origin is allowed", async () => {
    const response = await t.req("/status", { headers: { origin: "http://localhost:5173" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});
