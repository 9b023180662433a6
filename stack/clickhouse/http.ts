// HTTP-level pieces of ClickHouse's interface for the adapter: credentials,
// request bodies, exception responses and output encoding.
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";

/** URL parameters that are part of the HTTP protocol rather than engine settings. */
export const PROTOCOL_PARAMS = new Set([
  "query", "database", "default_format", "query_id", "session_id", "session_timeout", "session_check",
  "user", "password", "quota_key", "role", "compress", "decompress", "buffer_size", "wait_end_of_query",
  "enable_http_compression", "stacktrace",
  // Settable, but once set the session could not reset its other settings.
  "readonly",
]);

/** Credentials the way ClickHouse reads them: X-ClickHouse-* headers, Basic auth, URL params, else `default`. */
export function credentials(request: Request, url: URL): { user: string; password: string } {
  const headerUser = request.headers.get("x-clickhouse-user");
  if (headerUser !== null) return { user: headerUser, password: request.headers.get("x-clickhouse-key") ?? "" };
  const authorization = request.headers.get("authorization") ?? "";
  if (authorization.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? { user: decoded, password: "" } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { user: url.searchParams.get("user") ?? "default", password: url.searchParams.get("password") ?? "" };
}

/** Request body as text, undoing HTTP compression (client `compression.request`). */
export async function bodyText(request: Request): Promise<string> {
  const bytes = Buffer.from(await request.arrayBuffer());
  const encoding = (request.headers.get("content-encoding") ?? "").toLowerCase();
  const decoders: Record<string, (b: Buffer) => Buffer> = {
    "": (b) => b,
    gzip: gunzipSync,
    deflate: inflateSync,
    br: brotliDecompressSync,
  };
  const decode = decoders[encoding];
  if (decode === undefined) throw new ClickHouseException(`Unsupported Content-Encoding: ${encoding}`, 1, "UNKNOWN_EXCEPTION");
  return decode(bytes).toString("utf8");
}

/** An error rendered the way the ClickHouse server renders it. */
export class ClickHouseException extends Error {
  constructor(
    message: string,
    readonly code: number,
    type?: string,
  ) {
    super(message.startsWith("Code: ") ? message : `Code: ${code}. DB::Exception: ${message}${type ? ` (${type})` : ""}`);
  }

  /** chdb errors already carry ClickHouse's text and code; anything else becomes a generic exception. */
  static from(err: unknown): ClickHouseException {
    if (err instanceof ClickHouseException) return err;
    const e = err as { message?: string; clickhouseCode?: number };
    return new ClickHouseException(String(e.message ?? err), e.clickhouseCode ?? 1001, "STD_EXCEPTION");
  }
}

// HTTP statuses ClickHouse uses for common exception codes; everything else is 500.
const STATUS_BY_CODE: Record<number, number> = {
  62: 400, // SYNTAX_ERROR
  456: 400, // UNKNOWN_QUERY_PARAMETER
  457: 400, // BAD_QUERY_PARAMETER
  194: 401, // REQUIRED_PASSWORD
  516: 403, // AUTHENTICATION_FAILED
  46: 404, // UNKNOWN_FUNCTION
  47: 404, // UNKNOWN_IDENTIFIER
  60: 404, // UNKNOWN_TABLE
  81: 404, // UNKNOWN_DATABASE
};

export function exceptionResponse(err: ClickHouseException, queryId: string): Response {
  return new Response(`${err.message}\n`, {
    status: STATUS_BY_CODE[err.code] ?? 500,
    headers: {
      "Content-Type": "text/plain; charset=UTF-8",
      "X-ClickHouse-Exception-Code": String(err.code),
      "X-ClickHouse-Query-Id": queryId,
    },
  });
}

export function contentType(format: string): string {
  if (/^JSON.*(EachRow|Lines)/i.test(format)) return "application/x-ndjson; charset=UTF-8";
  if (/^JSON/i.test(format)) return "application/json; charset=UTF-8";
  if (/^(TSV|TabSeparated)/i.test(format)) return "text/tab-separated-values; charset=UTF-8";
  if (/^CSV/i.test(format)) return "text/csv; charset=UTF-8; header=absent";
  if (/^(Native|RowBinary|Parquet|Arrow|ORC|Avro|Protobuf|MsgPack)/i.test(format)) return "application/octet-stream";
  return "text/plain; charset=UTF-8";
}

/** Compresses the response body when the client asked (enable_http_compression=1 + Accept-Encoding). */
export function encodeBody(body: Uint8Array, request: Request, url: URL): { body: Uint8Array; encoding?: string } {
  if (url.searchParams.get("enable_http_compression") !== "1") return { body };
  const accepted = (request.headers.get("accept-encoding") ?? "").toLowerCase();
  if (accepted.includes("gzip")) return { body: gzipSync(body), encoding: "gzip" };
  if (accepted.includes("br")) return { body: brotliCompressSync(body), encoding: "br" };
  if (accepted.includes("deflate")) return { body: deflateSync(body), encoding: "deflate" };
  return { body };
}
