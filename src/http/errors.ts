/**
 * The error contract (DECISIONS.md D1/D2) in one place. Services throw the classes below;
 * `errorHandler` turns them, and Elysia's own NOT_FOUND / VALIDATION / PARSE errors, into
 * a status and a `{"detail": ...}` body. Only 5xx responses are logged as errors.
 */
import { Elysia, ValidationError } from "elysia";
import { ValueErrorType } from "@sinclair/typebox/errors";
import type { Logger } from "../infra/logger.ts";
import { StoreUnavailableError } from "../infra/clickhouse-query.ts";

export class HttpError extends Error {
  constructor(readonly status: number, readonly detail: unknown, readonly headers: Record<string, string> = {}) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
}

export class InputError extends HttpError {
  constructor(detail: string) { super(400, detail); }
}
export class AuthenticationError extends HttpError {
  constructor(detail = "Not authenticated") { super(401, detail, { "WWW-Authenticate": "Bearer" }); }
}
export class NotAllowedError extends HttpError {
  constructor(detail = "Permission denied") { super(403, detail); }
}
export class NotFoundError extends HttpError {
  constructor(detail = "Not Found") { super(404, detail); }
}
export class ConflictError extends HttpError {
  constructor(detail: string) { super(409, detail); }
}
/** 422 in the D2 shape, for rules checked in services (e.g. every unmet password rule). */
export class UnprocessableError extends HttpError {
  constructor(details: ValidationDetail[]) { super(422, details); }
}
export class UnavailableError extends HttpError {
  constructor(detail: string) { super(503, detail); }
}

export interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

/** Pydantic-style names for the common TypeBox failures, so clients see familiar types. */
const TYPE_NAMES: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.ObjectRequiredProperty]: "missing",
  [ValueErrorType.String]: "string_type",
  [ValueErrorType.Integer]: "int_type",
  [ValueErrorType.Number]: "float_type",
  [ValueErrorType.Boolean]: "bool_type",
  [ValueErrorType.Array]: "list_type",
  [ValueErrorType.Object]: "dict_type",
  [ValueErrorType.StringMinLength]: "string_too_short",
  [ValueErrorType.StringMaxLength]: "string_too_long",
  [ValueErrorType.StringPattern]: "string_pattern_mismatch",
  [ValueErrorType.StringFormat]: "string_format",
  [ValueErrorType.NumberMinimum]: "greater_than_equal",
  [ValueErrorType.NumberMaximum]: "less_than_equal",
  [ValueErrorType.IntegerMinimum]: "greater_than_equal",
  [ValueErrorType.IntegerMaximum]: "less_than_equal",
  [ValueErrorType.ObjectAdditionalProperties]: "extra_forbidden",
  [ValueErrorType.Literal]: "literal_error",
  [ValueErrorType.Union]: "union_error",
};

function locOf(where: string, path: string): (string | number)[] {
  const parts = path.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, "/").replace(/~0/g, "~")));
  return [where, ...parts];
}

/** One entry per location; "missing" wins over the follow-on type errors TypeBox reports. */
export function toValidationDetails(error: ValidationError): ValidationDetail[] {
  const byPath = new Map<string, ValidationDetail>();
  for (const e of error.all as { path: string; message: string; value?: unknown; type?: ValueErrorType }[]) {
    // JSON cannot carry `undefined`: a failing location without a value was never sent.
    const absent = !("value" in e) || e.value === undefined;
    const type = absent ? "missing" : (e.type !== undefined && TYPE_NAMES[e.type]) || "value_error";
    const existing = byPath.get(e.path);
    if (existing && (existing.type === "missing" || type !== "missing")) continue;
    byPath.set(e.path, {
      type,
      loc: locOf(error.type, e.path),
      msg: type === "missing" ? "Field required" : e.message,
      ...(type === "missing" ? {} : { input: e.value }),
    });
  }
  return [...byPath.values()];
}

export function errorHandler(logger: Logger) {
  return new Elysia({ name: "imbi.errors" }).onError({ as: "global" }, ({ code, error, set, request }) => {
    if (error instanceof HttpError) {
      set.status = error.status;
      Object.assign(set.headers, error.headers);
      return { detail: error.detail };
    }
    if (error instanceof StoreUnavailableError) {
      set.status = 503;
      logger.warn({ store: error.store, err: String((error as Error).cause ?? error) }, "store unavailable");
      return { detail: `${error.store} is unavailable; try again later` };
    }
    switch (code) {
      case "NOT_FOUND":
        set.status = 404;
        return { detail: "Not Found" };
      case "PARSE":
        set.status = 400;
        return { detail: request.headers.get("content-type")?.includes("json") ? "Invalid JSON body" : "Malformed request body" };
      case "VALIDATION":
        // A response that fails its own schema is our bug, not the client's.
        if ((error as ValidationError).type === "response") break;
        set.status = 422;
        return { detail: toValidationDetails(error as ValidationError) };
      case "INVALID_COOKIE_SIGNATURE":
        set.status = 400;
        return { detail: "Invalid cookie" };
    }
    set.status = 500;
    logger.error({ err: error, method: request.method, url: new URL(request.url).pathname }, "unhandled error");
    return { detail: "Internal Server Error" };
  });
}
