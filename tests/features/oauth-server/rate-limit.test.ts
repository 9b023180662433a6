/** The authorization server's per-IP limits: /auth/token 10/minute (as the reference), /auth/authorize 20, /auth/register 10. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { tokenRequest } from "./fixtures.ts";

let t: TestApp;
beforeAll(async () => { t = await startTestApp({}, undefined, { rateLimits: "enforced" }); });
afterAll(() => t.close());

describe("POST /auth/token rate limit", () => {
  test("the 11th request in a minute → 429 with Retry-After", async () => {
    for (let i = 0; i < 10; i++) expect((await tokenRequest(t, { grant_type: "password" })).status).toBe(400);
    const limited = await tokenRequest(t, { grant_type: "password" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("GET /auth/authorize rate limit (20/minute per client IP)", () => {
  test("the 21st request in a minute → 429 {detail} with Retry-After", async () => {
    for (let i = 0; i < 20; i++) expect((await t.req("/auth/authorize?client_id=mcp_unknown")).status).toBe(400);
    const limited = await t.req("/auth/authorize?client_id=mcp_unknown");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toHaveProperty("detail");
  });
});

describe("POST /auth/register rate limit (10/minute per client IP)", () => {
  test("the 11th registration in a minute → 429", async () => {
    const register = () => t.req("/auth/register", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    for (let i = 0; i < 10; i++) expect((await register()).status).toBe(400);
    expect((await register()).status).toBe(429);
  });
});
