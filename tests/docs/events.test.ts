/** docs/events.md lists every event type src/ emits (STYLE.md habit 12), and nothing else. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { emittedEventTypes, emittedEventTypesIn } from "../helpers/emitted-events.ts";

const ROOT = resolve(import.meta.dir, "..", "..");

/** The backticked names in the first column of the "Event types" table. */
function documentedTypes(markdown: string): Set<string> {
  const section = markdown.split(/^## Event types$/m)[1]?.split(/^## /m)[0] ?? "";
  return new Set([...section.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]!));
}

describe("docs/events.md", () => {
  const documented = documentedTypes(readFileSync(resolve(ROOT, "docs", "events.md"), "utf8"));
  const emitted = emittedEventTypesIn(resolve(ROOT, "src"));

  test("the source emits events (the scan works)", () => {
    expect(emitted.map((e) => e.type)).toEqual(expect.arrayContaining(["login.succeeded", "rate_limit.exceeded", "mfa.enabled"]));
  });

  test("every event type emitted in src/ is documented", () => {
    const missing = emitted.filter((e) => !documented.has(e.type)).map((e) => `${e.type} (src/${e.file}:${e.line})`);
    expect(missing).toEqual([]);
  });

  test("every documented event type is emitted somewhere", () => {
    const types = new Set(emitted.map((e) => e.type));
    expect([...documented].filter((type) => !types.has(type))).toEqual([]);
  });

  test("event types are noun.verb", () => {
    const odd = [...documented].filter((type) => !/^[a-z][a-z_]*\.[a-z][a-z_]*$/.test(type));
    expect(odd).toEqual([]);
  });
});

describe("the emitted-event scan", () => {
  test.each([
    ['events.emit({ type: "thing.happened", outcome: "success" })', ["thing.happened"]],
    ['ctx.events.emit({ ...base, type: "a.b", detail: { type: "not.this" } })', ["a.b"]],
    ['emit("mfa.enabled", principal, "failure")', ["mfa.enabled"]],
    ['emit(deps, "api_key.created", actor, { scopes })', ["api_key.created"]],
    ['emit(type, principal) // "comment.text"\nfoo("x.y")', []],
    ['function emit(deps: Deps, type: string) { deps.events.emit({ type, outcome }); }', []],
  ])("%s → %j", (source, types) => {
    expect(emittedEventTypes(source).map((e) => e.type)).toEqual(types);
  });
});
