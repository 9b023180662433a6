/** POST /auth/token, any grant: request format, grant_type dispatch, RFC 6749 §5.2 error bodies. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestApp, type TestApp } from "../../helpers/app.ts";
import { FORM, tokenRequest, type ErrorBody } from "./fixtures.ts";

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(() => t.close());

async function expectError(response: Response, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = (await response.json()) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(error);
}

describe("POST /auth/token: grant_type", () => {
  test("missing → invalid_request", async () => {
    await expectError(await tokenRequest(t, { client_id: "x", client_secret: "y" }), 400, "invalid_request");
  });

  test("sent without a value counts as missing (RFC 6749 §3.1)", async () => {
    await expectError(await tokenRequest(t, { grant_type: "" }), 400, "invalid_request");
  });

  test.each(["password", "implicit", "urn:ietf:params:oauth:grant-type:device_code", "__proto__", "toString", "x".repeat(5000)])(
    "unsupported %s → unsupported_grant_type", async (grantType) => {
      await expectError(await tokenRequest(t, { grant_type: grantType }), 400, "unsupported_grant_type");
    });
});

describe("POST /auth/token: request format", () => {
  test("a JSON body → invalid_request, not {detail}", async () => {
    const response = await t.req("/auth/token", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    await expectError(response, 400, "invalid_request");
  });

  test("malformed JSON is still an RFC 6749 error", async () => {
    await expectError(await t.req("/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }), 400, "invalid_request");
  });

  test("no content type → invalid_request", async () => {
    await expectError(await t.req("/auth/token", { method: "POST", body: "grant_type=client_credentials" }), 400, "invalid_request");
  });

  test("an empty form → invalid_request", async () => {
    await expectError(await t.req("/auth/token", { method: "POST", headers: FORM, body: "" }), 400, "invalid_request");
  });

  test("a content type with a charset is accepted", async () => {
    const response = await t.req("/auth/token", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" }, body: "grant_type=password",
    });
    await expectError(response, 400, "unsupported_grant_type");
  });

  test("a repeated parameter → invalid_request (RFC 6749 §3.2)", async () => {
    const response = await t.req("/auth/token", { method: "POST", headers: FORM, body: "grant_type=client_credentials&grant_type=client_credentials" });
    await expectError(response, 400, "invalid_request");
  });

  test.each([
    ["garbage", "%%%&&&==="],
    ["bad percent-encoding", "grant_type=client_credentials&client_id=%ZZ&client_secret=%"],
    ["binary", "\u0000\u0001\u00ff"],
    ["a huge value", `grant_type=client_credentials&client_id=${"c".repeat(100_000)}&client_secret=s`],
  ])("%s → a 4xx RFC 6749 error, never 5xx", async (_, body) => {
    const response = await t.req("/auth/token", { method: "POST", headers: FORM, body });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(typeof ((await response.json()) as ErrorBody).error).toBe("string");
  });

  test("a Bearer Authorization header is not client authentication", async () => {
    const response = await tokenRequest(t, { grant_type: "client_credentials" }, { authorization: "Bearer whatever" });
    await expectError(response, 400, "invalid_client");
    expect(response.headers.get("www-authenticate")).toBeNull();
  });

  test("GET is not served → 404", async () => {
    expect((await t.req("/auth/token")).status).toBe(404);
  });
});
