/** The keyset cursor helper (reference-domain §1.8): limit bounds, cursor round trips, Link headers. */
import { describe, expect, test } from "bun:test";
import { HttpError } from "../../src/http/errors.ts";
import {
  decodeCursor, encodeCursor, linkHeader, pageOf, parseIsoTimestamp, parseLimit, parseTimeFilter,
} from "../../src/http/pagination.ts";

function failure(fn: () => unknown): { status: number; detail: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, detail: error.detail };
    throw error;
  }
  throw new Error("expected an HttpError");
}

describe("parseLimit", () => {
  test("absent or empty → 50", () => {
    expect(parseLimit(undefined)).toBe(50);
    expect(parseLimit("")).toBe(50);
  });
  test.each(["1", "50", "500", " 7 "])("%p is accepted", (raw) => {
    expect(parseLimit(raw)).toBe(Number(raw.trim()));
  });
  test.each(["0", "501", "-1", "100000"])("%p → 400 limit must be 1..500", (raw) => {
    expect(failure(() => parseLimit(raw))).toEqual({ status: 400, detail: "limit must be 1..500" });
  });
  test.each(["abc", "1.5", "1e2", "0x10"])("%p (not an integer) → 422 located at query.limit", (raw) => {
    const { status, detail } = failure(() => parseLimit(raw));
    expect(status).toBe(422);
    expect((detail as { loc: unknown[] }[])[0]!.loc).toEqual(["query", "limit"]);
  });
});

describe("cursors", () => {
  test("encode: base64url without padding of '<ISO>|<id>'", () => {
    const cursor = encodeCursor(new Date("2026-01-02T03:04:05.678Z"), "abc_DEF-123");
    expect(cursor).not.toContain("=");
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, "base64url").toString()).toBe("2026-01-02T03:04:05.678Z|abc_DEF-123");
  });

  test("round trip", () => {
    const at = new Date("2025-12-31T23:59:59.999Z");
    expect(decodeCursor(encodeCursor(at, "x"))).toEqual({ timestamp: at, id: "x" });
  });

  test("a naive timestamp is UTC; offsets are normalized", () => {
    const naive = Buffer.from("2026-01-02T03:04:05|id1").toString("base64url");
    expect(decodeCursor(naive).timestamp.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    const offset = Buffer.from("2026-01-02T05:04:05+02:00|id1").toString("base64url");
    expect(decodeCursor(offset).timestamp.toISOString()).toBe("2026-01-02T03:04:05.000Z");
  });

  test.each([
    ["not base64url", "a+b/c"],
    ["padding", `${Buffer.from("2026-01-02T03:04:05Z|i").toString("base64url")}==`],
    ["no separator", Buffer.from("2026-01-02T03:04:05Z").toString("base64url")],
    ["bad timestamp", Buffer.from("yesterday|id").toString("base64url")],
    ["impossible date", Buffer.from("2026-13-45T00:00:00Z|id").toString("base64url")],
    ["empty id", Buffer.from("2026-01-02T03:04:05Z|").toString("base64url")],
    ["invalid UTF-8", Buffer.from([0xff, 0xfe, 0x7c, 0x41]).toString("base64url")],
    ["NUL in id", Buffer.from("2026-01-02T03:04:05Z|a\u0000b").toString("base64url")],
    ["empty", ""],
    ["stray length", "A"],
  ])("%s → 400 Invalid cursor", (_, raw) => {
    expect(failure(() => decodeCursor(raw))).toEqual({ status: 400, detail: "Invalid cursor" });
  });
});

describe("timestamps", () => {
  test.each([
    ["2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"],
    ["2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05.123Z"],
    ["2026-01-02 03:04:05", "2026-01-02T03:04:05.000Z"],
    ["2026-01-02T03:04", "2026-01-02T03:04:00.000Z"],
    ["2026-01-02", "2026-01-02T00:00:00.000Z"],
    ["2026-01-02T03:04:05-0130", "2026-01-02T04:34:05.000Z"],
  ])("%p → %p", (raw, expected) => {
    expect(parseIsoTimestamp(raw)?.toISOString()).toBe(expected);
  });
  test.each(["", "now", "2026-02-30T00:00:00Z", "1800-01-01T00:00:00Z", "2026-01-02T25:00:00Z", "1735689600"])("%p is refused", (raw) => {
    expect(parseIsoTimestamp(raw)).toBeUndefined();
  });
  test("since/until: 400 naming the parameter", () => {
    expect(parseTimeFilter(undefined, "since")).toBeUndefined();
    expect(failure(() => parseTimeFilter("soon", "until"))).toEqual({ status: 400, detail: "Invalid ISO timestamp for 'until'" });
  });
});

describe("pages and Link headers", () => {
  const rows = [3, 2, 1].map((n) => ({ id: `r${n}`, at: new Date(Date.UTC(2026, 0, n)) }));
  const key = (row: (typeof rows)[number]) => ({ timestamp: row.at, id: row.id });

  test("limit+1 rows: the page is `limit` long and the cursor points after its last row", () => {
    const { page, next } = pageOf(rows, 2, key);
    expect(page.map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(decodeCursor(next!)).toEqual({ timestamp: rows[1]!.at, id: "r2" });
  });

  test("at most `limit` rows: no next page", () => {
    expect(pageOf(rows, 3, key)).toEqual({ page: rows, next: null });
  });

  test("first drops cursor and keeps every other parameter; next adds the new cursor", () => {
    const header = linkHeader("https://imbi.example.com/api/events/?limit=2&cursor=old&type=webhook", "NEW");
    expect(header).toBe(
      '<https://imbi.example.com/api/events/?limit=2&type=webhook>; rel="first", '
      + '<https://imbi.example.com/api/events/?limit=2&type=webhook&cursor=NEW>; rel="next"',
    );
  });

  test("without a next page only rel=first", () => {
    expect(linkHeader("http://localhost/operations-log/", null)).toBe('<http://localhost/operations-log/>; rel="first"');
  });
});
