/** POST /auth/token is limited to 10 requests a minute per client IP, as the reference. */
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
