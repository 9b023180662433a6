/**
 * Spans for postgres.js queries. postgres.js has no query hooks, so the `sql` function is
 * wrapped in a Proxy: a query (a lazy promise that runs when first awaited) gets a CLIENT
 * span from its first `then` until it settles, parented by the context it was created in.
 * Transactions (`begin`, `savepoint`) and reserved connections hand their callback a
 * wrapped `sql` too, and the callback runs in the caller's context (postgres.js calls it
 * from a socket event, which would lose it).
 *
 * Only queries inside a traced operation get a span: the background pollers (email
 * outbox, schedulers) would otherwise emit a one-span trace every second.
 */
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import type { Database } from "../postgres.ts";

const MAX_TEXT = 2048;

/** Queries in flight plus open transactions and reservations: the connections in use. */
let inUse = 0;
export const postgresInUse = () => inUse;

interface PendingQuery extends Promise<unknown> {
  strings?: readonly string[] | string;
}

interface Statement {
  text: string;
  /** SELECT, INSERT, WITH, ... : the statement's first keyword. */
  operation: string;
}

function describe(strings: readonly string[] | string | undefined): Statement {
  if (strings === undefined) return { text: "", operation: "QUERY" };
  const raw = typeof strings === "string" ? strings : strings.reduce((all, part, i) => `${all}$${i}${part}`);
  const text = raw.replace(/\s+/g, " ").trim().slice(0, MAX_TEXT);
  return { text, operation: /^\(?\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY" };
}

/** A tagged template's strings array is the same object on every call from one call site. */
const statements = new WeakMap<readonly string[], Statement>();

function statementOf(strings: readonly string[] | string | undefined): Statement {
  if (typeof strings !== "object") return describe(strings);
  let statement = statements.get(strings);
  if (!statement) statements.set(strings, (statement = describe(strings)));
  return statement;
}

function connectionAttributes(sql: Database): Record<string, string | number> {
  const options = (sql as unknown as { options?: { host?: string[]; port?: number[]; database?: string } }).options;
  return {
    "db.system.name": "postgresql",
    ...(options?.database ? { "db.namespace": options.database } : {}),
    ...(options?.host?.[0] ? { "server.address": options.host[0] } : {}),
    ...(options?.port?.[0] ? { "server.port": options.port[0] } : {}),
  };
}

/** `counted`: false inside a transaction or reservation, whose connection is counted already. */
function traceQuery(result: unknown, tracer: Tracer | undefined, base: Record<string, string | number>, counted: boolean): unknown {
  if (!(result instanceof Promise)) return result; // fragments, identifiers, helpers
  const query = result as PendingQuery;
  const parent = context.active();
  const traced = tracer && trace.getSpan(parent) && !isTracingSuppressed(parent);
  const then = query.then;
  let started = false;
  query.then = function (this: PendingQuery, ...args: Parameters<Promise<unknown>["then"]>) {
    if (!started) {
      started = true;
      if (counted) inUse++;
      let span: Span | undefined;
      if (traced) {
        const { text, operation } = statementOf(query.strings);
        span = tracer.startSpan(operation, {
          kind: SpanKind.CLIENT, attributes: { ...base, "db.operation.name": operation, "db.query.text": text },
        }, parent);
      }
      then.call(query, () => {
        if (counted) inUse--;
        span?.end();
      }, (error: unknown) => {
        if (counted) inUse--;
        if (span) {
          const code = (error as { code?: unknown }).code;
          if (typeof code === "string") span.setAttribute("db.response.status_code", code);
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          span.end();
        }
      });
    }
    return then.apply(query, args);
  } as Promise<unknown>["then"];
  return query;
}

/** begin/savepoint/reserve hold a connection for their whole scope. */
async function holding<T>(scope: Promise<T>): Promise<T> {
  inUse++;
  try {
    return await scope;
  } finally {
    inUse--;
  }
}

export function instrumentPostgres(sql: Database, tracer: Tracer | undefined): Database {
  const base = connectionAttributes(sql);
  const wrap = (target: Database, counted: boolean): Database => new Proxy(target, {
    apply: (fn, self, args) => traceQuery(Reflect.apply(fn, self, args), tracer, base, counted),
    get(fn, property) {
      const value = Reflect.get(fn, property, fn) as unknown;
      if (typeof value !== "function") return value;
      switch (property) {
        case "unsafe":
        case "file":
          return (...args: unknown[]) => traceQuery(value.apply(fn, args), tracer, base, counted);
        case "begin":
        case "savepoint":
          return (...args: unknown[]) => {
            const callback = args.at(-1) as (tx: Database) => unknown;
            const caller = context.active();
            args[args.length - 1] = (tx: Database) => context.with(caller, () => callback(wrap(tx, false)));
            const scope = value.apply(fn, args) as Promise<unknown>;
            return counted ? holding(scope) : scope;
          };
        case "reserve":
          return async () => {
            const reserved = (await value.call(fn)) as Database & { release(): void };
            inUse++;
            const wrapped = wrap(reserved, false) as Database & { release(): void };
            let released = false;
            return new Proxy(wrapped, {
              get: (target, key) => key === "release"
                ? () => {
                  if (!released) inUse--;
                  released = true;
                  reserved.release();
                }
                : Reflect.get(target, key),
            });
          };
        default:
          return value;
      }
    },
  });
  return wrap(sql, true);
}
