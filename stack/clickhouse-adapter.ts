// ClickHouse for the native stack: enough of ClickHouse's HTTP interface, served
// over the embedded chdb engine, that @clickhouse/client works against it
// unchanged (ping, query with formats and query_params, insert, command, exec,
// database / settings URL parameters, auth, ClickHouse-style exceptions).
//
// Usage: CLICKHOUSE_USER=default CLICKHOUSE_PASSWORD=secret \
//   bun stack/clickhouse-adapter.ts --port N --data DIR [--database NAME]
//
// One persistent chdb Session holds the data. chdb sessions are single-threaded
// and `USE`/`SET` are session state, so requests run strictly one at a time;
// each gets its own database and settings, which are reset afterwards.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { Session, type ChdbResult } from "chdb";
import {
  bodyText, ClickHouseException, contentType, credentials, encodeBody, exceptionResponse, PROTOCOL_PARAMS,
} from "./clickhouse/http.ts";
import { decodeParam } from "./clickhouse/params.ts";

const { values } = parseArgs({
  options: { port: { type: "string" }, data: { type: "string" }, database: { type: "string", default: "default" } },
});
if (!values.port || !values.data) throw new Error("usage: bun stack/clickhouse-adapter.ts --port N --data DIR [--database NAME]");
const USER = process.env.CLICKHOUSE_USER ?? "default";
const PASSWORD = process.env.CLICKHOUSE_PASSWORD ?? "";
const UNKNOWN_SETTING = 115;

const quoteIdentifier = (name: string) => `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
const quoteString = (value: string) => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

mkdirSync(values.data, { recursive: true });
const session = new Session(values.data);
await session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(values.database)}`);
const timezone = (await session.queryAsync("SELECT timezone()", { format: "TSVRaw" })).text().trim();

let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => {});
  return result;
}

interface Query {
  sql: string;
  database: string;
  /** Output format when the SQL has no FORMAT clause (HTTP default: TabSeparated). */
  defaultFormat: string;
  settings: [string, string][];
  params: Record<string, string | null>;
  /** INSERT whose data part is empty: ClickHouse accepts it as a no-op, chdb would fail. */
  emptyInsert: boolean;
  /** Data rows sent with an INSERT in a line-based format (for X-ClickHouse-Summary). */
  insertedRows: number;
}

/** Like the server: the query is the `query` parameter followed by the body (data for INSERT, or the SQL itself). */
async function readQuery(request: Request, url: URL): Promise<Query> {
  const entries = [...url.searchParams];
  let body = "";
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    // @clickhouse/client moves query text and params into a form when they are too long for a URL.
    for (const [name, value] of await request.formData()) if (typeof value === "string") entries.push([name, value]);
  } else if (request.method === "POST") {
    body = await bodyText(request);
  }
  const get = (name: string) => entries.find(([k]) => k === name)?.[1];
  const urlQuery = get("query") ?? "";
  const sql = urlQuery && body ? `${urlQuery}\n${body}` : urlQuery || body;
  if (sql.trim() === "") throw new ClickHouseException("Empty query", 62, "SYNTAX_ERROR");
  const isInsert = /^\s*INSERT\b/i.test(urlQuery);
  const lineFormat = /\bFORMAT\s+(JSON\w*EachRow|JSONLines|TSV\w*|TabSeparated\w*|CSV)\s*$/i.test(urlQuery);
  return {
    sql,
    database: get("database") || "default",
    defaultFormat: get("default_format") || "TabSeparated",
    settings: entries.filter(([k]) => !k.startsWith("param_") && !PROTOCOL_PARAMS.has(k)),
    params: Object.fromEntries(
      entries.filter(([k]) => k.startsWith("param_")).map(([k, v]) => [k.slice(6), decodeParam(v)]),
    ),
    emptyInsert: isInsert && body.trim() === "",
    insertedRows: isInsert && lineFormat ? body.split("\n").filter((l) => l.trim() !== "").length : 0,
  };
}

async function execute(query: Query): Promise<ChdbResult> {
  await session.queryAsync(`USE ${quoteIdentifier(query.database)}`);
  const applied: string[] = [];
  try {
    for (const [name, value] of query.settings) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      try {
        await session.queryAsync(`SET ${name} = ${quoteString(value)}`);
        applied.push(name);
      } catch (err) {
        // Ignore what this engine does not know (HTTP-only knobs such as
        // wait_end_of_query); report bad values of real settings.
        if ((err as { clickhouseCode?: number }).clickhouseCode !== UNKNOWN_SETTING) throw err;
      }
    }
    const options = { format: query.defaultFormat };
    return Object.keys(query.params).length > 0
      ? await session.queryBindAsync(query.sql, query.params, options)
      : await session.queryAsync(query.sql, options);
  } finally {
    for (const name of applied) await session.queryAsync(`SET ${name} = DEFAULT`).catch(() => {});
  }
}

/** Format of the response body: the query's trailing FORMAT clause, else default_format. */
function outputFormat(query: Query): string {
  if (/^\s*INSERT\b/i.test(query.sql)) return query.defaultFormat;
  return /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(query.sql)?.[1] ?? query.defaultFormat;
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const queryId = url.searchParams.get("query_id") || randomUUID();
  if (url.pathname === "/ping" || (url.pathname === "/" && request.method === "GET" && !url.searchParams.has("query"))) {
    return new Response("Ok.\n");
  }
  if (url.pathname !== "/") return new Response(`There is no handle ${url.pathname}\n`, { status: 404 });
  try {
    const { user, password } = credentials(request, url);
    if (user !== USER || password !== PASSWORD) {
      throw new ClickHouseException(
        `${user}: Authentication failed: password is incorrect, or there is no user with such name.`,
        516,
        "AUTHENTICATION_FAILED",
      );
    }
    const query = await readQuery(request, url);
    const result = query.emptyInsert ? null : await serialized(() => execute(query));
    const format = outputFormat(query);
    const summary = {
      read_rows: String(result?.rowsRead ?? 0),
      read_bytes: String(result?.bytesRead ?? 0),
      written_rows: String(query.insertedRows),
      written_bytes: "0",
      total_rows_to_read: String(result?.rowsRead ?? 0),
      result_rows: "0",
      result_bytes: "0",
      elapsed_ns: String(Math.round((result?.elapsed ?? 0) * 1e9)),
    };
    const { body, encoding } = encodeBody(result?.bytes() ?? new Uint8Array(), request, url);
    const headers: Record<string, string> = {
      "Content-Type": contentType(format),
      "X-ClickHouse-Query-Id": queryId,
      "X-ClickHouse-Format": format,
      "X-ClickHouse-Timezone": timezone,
      "X-ClickHouse-Server-Display-Name": "imbi-chdb-adapter",
      "X-ClickHouse-Summary": JSON.stringify(summary),
    };
    if (encoding) headers["Content-Encoding"] = encoding;
    return new Response(body, { headers });
  } catch (err) {
    const exception = ClickHouseException.from(err);
    console.error(`query ${queryId} failed: ${exception.message}`);
    return exceptionResponse(exception, queryId);
  }
}

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(values.port), idleTimeout: 0, fetch: handle });
console.log(`clickhouse-adapter: http://127.0.0.1:${server.port} (chdb data: ${values.data}, user: ${USER})`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void server.stop(true);
    void serialized(async () => session.close()).finally(() => process.exit(0));
  });
}
