/**
 * JSON Patch (RFC 6902) for every PATCH route, as the reference does it: the operations
 * are validated first, read-only paths (and the root) are refused with 400, a failed
 * `test` is 422, any other bad operation 400; the patched document is returned for the
 * route to validate against its model. Never a 500 for client input.
 */
import { t } from "elysia";
import jsonpatch, { type Operation } from "fast-json-patch";
import { HttpError, InputError, UnprocessableError } from "./errors.ts";

/**
 * The request body schema: an array of operations. An unknown `op` fails the schema and is a
 * 422 like any other malformed body (D2); semantic problems (a missing path) are 400 below.
 */
export const JsonPatchBody = t.Array(t.Object({
  op: t.Union(["add", "remove", "replace", "move", "copy", "test"].map((op) => t.Literal(op))),
  path: t.String(),
  value: t.Optional(t.Unknown()),
  from: t.Optional(t.String()),
}), { description: "RFC 6902 JSON Patch operations" });

export const DEFAULT_READ_ONLY = ["/created_at", "/updated_at", "/relationships", "/id"];

function touches(pointer: string, readOnly: string[]): string | undefined {
  return readOnly.find((path) => pointer === path || pointer.startsWith(`${path}/`));
}

export type PatchOperations = typeof JsonPatchBody.static;

export function applyJsonPatch<T extends object>(document: T, operations: Operation[] | PatchOperations, readOnly: string[] = DEFAULT_READ_ONLY): T {
  for (const op of operations as Operation[]) {
    for (const pointer of [op.path, (op as { from?: string }).from].filter((p): p is string => p !== undefined)) {
      if (pointer === "" || pointer === "/") throw new InputError("Root path cannot be patched");
      const locked = touches(pointer, readOnly);
      if (locked) throw new InputError(`Path '${locked}' is read-only and cannot be patched`);
    }
    if (["add", "replace", "test"].includes(op.op) && !("value" in op)) throw new InputError(`Invalid patch: '${op.op}' at ${op.path} needs a value`);
    if (["move", "copy"].includes(op.op) && !(op as { from?: string }).from) throw new InputError(`Invalid patch: '${op.op}' at ${op.path} needs from`);
  }
  try {
    const result = jsonpatch.applyPatch(structuredClone(document), operations as Operation[], true, false).newDocument;
    if (result === null || typeof result !== "object" || Array.isArray(result)) throw new InputError("Invalid patch: the result is not an object");
    return result;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const name = (error as { name?: string }).name;
    if (name === "TEST_OPERATION_FAILED") {
      throw new UnprocessableError([{
        type: "patch_test_failed", loc: ["body"], msg: `Patch test operation failed: ${(error as Error).message.split("\n")[0]}`,
        input: (operations as Operation[]).filter((op) => op.op === "test"),
      }]);
    }
    throw new InputError(`Invalid patch: ${(error as Error).message.split("\n")[0]}`);
  }
}
