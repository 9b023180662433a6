/** The error contract (D1/D2): JSON bodies with `detail`, 404 for unknown routes, 400/422 for bad input. */
import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { ConflictError, errorHandler, NotAllowedError } from "../../src/http/errors.ts";
import { createLogger } from "../../src/infra/logger.ts";

const logs: string[] = [];
const app = new Elysia()
  .use(errorHandler(createLogger({ destination: { write: (l: string) => void logs.push(l) } })))
  .post("/things/:id", ({ body }) => body, {
    params: t.Object({ id: t.Numeric() }),
    body: t.Object({ name: t.String({ minLength: 2 }), size: t.Integer({ minimum: 1 }), tags: t.Array(t.String()) }),
  })
  .get("/conflict", () => { throw new ConflictError("Team with slug 'x' already exists"); })
  .get("/denied", () => { throw new NotAllowedError("Permission denied: team:write required"); })
  .get("/boom", () => { throw new Error("database password is hunter2"); })
  .get("/bad-response", () => "not a number" as unknown as number, { response: t.Number() });

const send = (path: string, init?: RequestInit) => app.handle(new Request(`http://localhost${path}`, init));
const post = (body: string, path = "/things/1") =>
  send(path, { method: "POST", body, headers: { "content-type": "application/json" } });

describe("error contract", () => {
  test("unknown route → 404 JSON for every method", async () => {
    for (const method of ["GET", "POST", "DELETE", "PATCH"]) {
      const response = await send("/nowhere", { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not Found" });
    }
  });

  test("malformed JSON → 400 Invalid JSON body", async () => {
    const response = await post('{"name": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Invalid JSON body" });
  });

  test("validation → 422 with a list of {type, loc, msg, input}", async () => {
    const response = await post('{"name": "x", "size": "big"}');
    expect(response.status).toBe(422);
    const { detail } = (await response.json()) as { detail: { type: string; loc: unknown[]; msg: string; input?: unknown }[] };
    const byLoc = Object.fromEntries(detail.map((d) => [d.loc.join("."), d]));
    expect(byLoc["body.name"]).toMatchObject({ type: "string_too_short", input: "x" });
    expect(byLoc["body.size"]!.input).toBe("big");
    expect(byLoc["body.tags"]).toMatchObject({ type: "missing", msg: "Field required" });
    for (const d of detail) expect(typeof d.msg).toBe("string");
  });

  test("bad path parameter → 422 located in params", async () => {
    const response = await post('{"name":"xy","size":1,"tags":[]}', "/things/abc");
    expect(response.status).toBe(422);
    const { detail } = (await response.json()) as { detail: { loc: unknown[] }[] };
    expect(detail[0]!.loc).toEqual(["params", "id"]);
  });

  test.each([["[]"], ["null"], ['"text"'], ["42"], ['{"name":["a"],"size":1.5,"tags":[1]}']])("body %s → 4xx, never 5xx", async (body) => {
    const response = await post(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.json()).toHaveProperty("detail");
  });

  test("domain errors map to their status", async () => {
    expect((await send("/conflict")).status).toBe(409);
    expect(await (await send("/denied")).json()).toEqual({ detail: "Permission denied: team:write required" });
  });

  test("an unexpected error → 500 with a generic detail; the message is logged, not returned", async () => {
    const response = await send("/boom");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ detail: "Internal Server Error" });
    expect(text).not.toContain("hunter2");
    expect(logs.some((l) => l.includes("unhandled error"))).toBe(true);
  });

  test("a response that breaks its own schema is a 500, not a 422", async () => {
    expect((await send("/bad-response")).status).toBe(500);
  });
});
