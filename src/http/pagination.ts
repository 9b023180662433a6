/**
 * Keyset cursor pagination (reference-domain §1.8): `limit` 1..500 (default 50), an opaque
 * cursor = base64url without padding of "<ISO timestamp>|<id>", order (timestamp DESC, id
 * DESC), limit+1 rows fetched to know whether a next page exists, and an RFC 8288 `Link`
 * header with rel="first" (the request URL without `cursor`) and rel="next" (with it).
 */
import { InputError, UnprocessableError } from "./errors.ts";

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface Cursor {
  timestamp: Date;
  id: string;
}

/** "2026-01-02T03:04:05(.678)(Z|±hh:mm)"; a naive value is UTC. */
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO-8601 timestamp (date-only and naive values are UTC), or undefined. */
export function parseIsoTimestamp(raw: string): Date | undefined {
  let text = raw.trim();
  if (DATE_ONLY.test(text)) text += "T00:00:00Z";
  else if (!ISO.test(text)) return undefined;
  else if (!/(Z|z|[+-]\d{2}:?\d{2})$/.test(text)) text += "Z";
  // Fractions beyond milliseconds are truncated (storage is DateTime64(3)).
  text = text.replace(" ", "T").replace(/(\.\d{3})\d+/, "$1").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const [y, m, d] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  // Calendar check: Date would roll 2026-02-30 over into March.
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return undefined;
  const year = date.getUTCFullYear();
  // What DateTime64(3, 'UTC') can hold.
  return year >= 1900 && year <= 2299 ? date : undefined;
}

/** A `since`/`until` query value: 400 "Invalid ISO timestamp for 'name'" when malformed. */
export function parseTimeFilter(raw: string | undefined, name: string): Date | undefined {
  if (raw === undefined) return undefined;
  const date = parseIsoTimestamp(raw);
  if (!date) throw new InputError(`Invalid ISO timestamp for '${name}'`);
  return date;
}

/** `limit` from the query string: absent → 50; a non-integer → 422; outside 1..500 → 400. */
export function parseLimit(raw: string | number | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_LIMIT;
  const text = String(raw).trim();
  if (!/^[+-]?\d+$/.test(text)) {
    throw new UnprocessableError([{ type: "int_parsing", loc: ["query", "limit"], msg: "Input should be a valid integer", input: raw }]);
  }
  const limit = Number(text);
  if (limit < 1 || limit > MAX_LIMIT) throw new InputError(`limit must be 1..${MAX_LIMIT}`);
  return limit;
}

const toBase64Url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

export function encodeCursor(timestamp: Date, id: string): string {
  return toBase64Url(`${timestamp.toISOString()}|${id}`);
}

/** 400 "Invalid cursor" for anything encodeCursor could not have produced. */
export function decodeCursor(raw: string): Cursor {
  const invalid = () => new InputError("Invalid cursor");
  if (!/^[A-Za-z0-9_-]+$/.test(raw) || raw.length % 4 === 1 || raw.length > 2048) throw invalid();
  const text = Buffer.from(raw, "base64url").toString("utf8");
  // Re-encoding must give the input back: no lenient decoding of stray bits or bad UTF-8.
  if (toBase64Url(text) !== raw) throw invalid();
  const bar = text.indexOf("|");
  if (bar < 0) throw invalid();
  const timestamp = parseIsoTimestamp(text.slice(0, bar));
  const id = text.slice(bar + 1);
  if (!timestamp || !id || id.includes("\u0000") || !id.isWellFormed()) throw invalid();
  return { timestamp, id };
}

/** The page (first `limit` rows) and, when a further row was fetched, the cursor of the next page. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => { timestamp: Date; id: string }): { page: T[]; next: string | null } {
  if (rows.length <= limit) return { page: rows, next: null };
  const page = rows.slice(0, limit);
  const last = keyOf(page[page.length - 1]!);
  return { page, next: encodeCursor(last.timestamp, last.id) };
}

/** `<first>; rel="first"` and, with a next cursor, `<next>; rel="next"`: absolute URLs of the request. */
export function linkHeader(requestUrl: string, next: string | null): string {
  const url = new URL(requestUrl);
  url.searchParams.delete("cursor");
  const links = [`<${url.toString()}>; rel="first"`];
  if (next) {
    url.searchParams.append("cursor", next);
    links.push(`<${url.toString()}>; rel="next"`);
  }
  return links.join(", ");
}

/** The JSON response of a page: body `{...extra, data}` and its Link header. */
export function pageResponse(requestUrl: string, data: unknown[], next: string | null, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ ...extra, data }), {
    headers: { "content-type": "application/json;charset=utf-8", link: linkHeader(requestUrl, next) },
  });
}
