/**
 * Finds the event types the source emits, for tests/docs/events.test.ts: the first string
 * literal passed straight to an `emit(` call (`emit("mfa.enabled", principal, "failure")`,
 * `emit(deps, "api_key.created", ...)`) and the `type: "..."` keys of an object literal
 * passed to it (`events.emit({ type: "login.failed", ... })`). Strings and comments are
 * skipped while matching brackets, so nested objects (`detail: { type: ... }`) do not count.
 */
import { Glob } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface EmittedEvent {
  type: string;
  file: string;
  line: number;
}

const EVENT_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

export function emittedEventTypes(source: string, file = "<source>"): EmittedEvent[] {
  const found: EmittedEvent[] = [];
  const lineOf = (index: number) => source.slice(0, index).split("\n").length;
  const call = /\bemit\s*\(/g;
  for (let match = call.exec(source); match; match = call.exec(source)) {
    let depth = 0; // 0 = the call's own arguments
    let objectDepth = -1; // depth of a top-level object-literal argument, while inside one
    let sawStringArg = false;
    for (let i = match.index + match[0].length; i < source.length; i++) {
      const ch = source[i]!;
      if (ch === "/" && source[i + 1] === "/") { i = source.indexOf("\n", i); if (i < 0) break; continue; }
      if (ch === "/" && source[i + 1] === "*") { i = source.indexOf("*/", i) + 1; continue; }
      if (ch === '"' || ch === "'" || ch === "`") {
        const end = closingQuote(source, i);
        const text = source.slice(i + 1, end);
        const before = source.slice(Math.max(0, i - 40), i);
        const isTopLevelArg = depth === 0 && !sawStringArg && /(\(|,)\s*$/.test(before);
        if (depth === 0) sawStringArg = true;
        const isTypeKey = objectDepth >= 0 && depth === objectDepth + 1 && /\btype\s*:\s*$/.test(before);
        if (ch !== "`" && (isTopLevelArg || isTypeKey) && EVENT_NAME.test(text)) found.push({ type: text, file, line: lineOf(i) });
        i = end;
        continue;
      }
      if (ch === "{" && depth === 0) objectDepth = 0;
      if (ch === "(" || ch === "{" || ch === "[") depth++;
      if (ch === ")" || ch === "}" || ch === "]") {
        if (depth === 0) break; // the call's closing parenthesis
        depth--;
        if (depth === 0 && ch === "}") objectDepth = -1;
      }
    }
  }
  return found;
}

function closingQuote(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === quote) return i;
  }
  return source.length;
}

export function emittedEventTypesIn(dir: string): EmittedEvent[] {
  const events: EmittedEvent[] = [];
  for (const file of new Glob("**/*.ts").scanSync({ cwd: dir })) {
    events.push(...emittedEventTypes(readFileSync(join(dir, file), "utf8"), file));
  }
  return events;
}
