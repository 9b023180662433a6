/**
 * POST /organizations/{org}/webhooks/: every malformed field is a 422 in the D2 shape
 * located at that field, malformed JSON a 400, and nothing is stored for either.
 */
import { describe, expect, test } from "bun:test";
import { expect422, send } from "../../helpers/catalog.ts";
import { useWorld } from "./fixtures.ts";

const w = useWorld();
const post = (body: unknown) => send(w.t, "POST", `${w.base}/`, body, w.cast.adminA.headers);

const CASES: [string, Record<string, unknown>, string][] = [
  ["name missing", {}, "body.name"],
  ["name empty", { name: "" }, "body.name"],
  ["name too long", { name: "x".repeat(129) }, "body.name"],
  ["name a number", { name: 5 }, "body.name"],
  ["description a number", { name: "x", description: 1 }, "body.description"],
  ["icon an object", { name: "x", icon: {} }, "body.icon"],
  ["secret empty", { name: "x", secret: "" }, "body.secret"],
  ["secret a number", { name: "x", secret: 123 }, "body.secret"],
  ["integration_slug empty", { name: "x", integration_slug: "" }, "body.integration_slug"],
  ["identifier_selector without integration", { name: "x", identifier_selector: "/a" }, "body.identifier_selector"],
  ["user_subject_selector without integration", { name: "x", user_subject_selector: "/a" }, "body.user_subject_selector"],
  ["user_type_selector without integration", { name: "x", user_type_selector: "/a" }, "body.user_type_selector"],
  ["identity_integration_slug without integration", { name: "x", identity_integration_slug: "gh" }, "body.identity_integration_slug"],
  ["event_type_selector without integration", { name: "x", event_type_selector: "X-Event" }, "body.event_type_selector"],
  ["a selector a number", { name: "x", integration_slug: "gh", identifier_selector: 1 }, "body.identifier_selector"],
  ["rules an object", { name: "x", rules: {} }, "body.rules"],
  ["a rule without filter_expression", { name: "x", rules: [{ handler: "a.b" }] }, "body.rules.0"],
  ["a rule with an empty handler", { name: "x", rules: [{ filter_expression: "true", handler: "" }] }, "body.rules.0.handler"],
  ["handler_config a string", { name: "x", rules: [{ filter_expression: "true", handler: "a", handler_config: "s" }] }, "body.rules.0.handler_config"],
  ["a rule with an extra key", { name: "x", rules: [{ filter_expression: "true", handler: "a", ordinal: 1 }] }, "body.rules.0"],
  ["too many rules", { name: "x", rules: Array.from({ length: 101 }, () => ({ filter_expression: "t", handler: "h" })) }, "body.rules"],
  ["an unknown key", { name: "x", slug: "chosen" }, "body"],
  ["a NUL in the name", { name: "a\u0000b" }, "body.name"],
  ["a lone surrogate in a rule", { name: "x", rules: [{ filter_expression: "\ud800", handler: "h" }] }, "body.rules.0.filter_expression"],
];

describe("POST /organizations/{org}/webhooks/: malformed input", () => {
  test.each(CASES)("422: %s", async (_, body, field) => {
    expect422(await post(body), field);
  });

  test("a JSON array, a string and malformed JSON are refused (422, 422, 400)", async () => {
    expect422(await post([{ name: "x" }]));
    expect422(await post(JSON.stringify("x")));
    expect(await post("{nope")).toMatchObject({ status: 400, body: { detail: "Invalid JSON body" } });
  });

  test("nothing was stored by the refused requests", async () => {
    const [row] = await w.t.infra.sql<{ n: number }[]>`select count(*)::int as n from webhooks`;
    expect(row!.n).toBe(0);
  });

  test("empty selectors count as none, as in the reference", async () => {
    const hook = await w.create({ identifier_selector: "", event_type_selector: null });
    expect(hook).toMatchObject({ identifier_selector: null, event_type_selector: null });
  });
});
