/**
 * Where a request path lands inside the web-UI directory, and how long a browser may keep
 * it. A path is refused (undefined) when it could name anything outside the directory:
 * `..`, encoded separators or dots, NUL, backslashes, hidden segments, or a symlink whose
 * real target is outside.
 */
import { realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";

export const IMMUTABLE = "public, max-age=31536000, immutable";
export const NO_CACHE = "no-cache";
export const SHORT_CACHE = "public, max-age=300";

const NO_CACHE_FILES = new Set(["index.html", "version.json", "sw.js", "service-worker.js"]);

/** The decoded segments of a URL pathname, or undefined when any of them is unsafe. */
export function safeSegments(pathname: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const segments = decoded.split("/").filter((s) => s !== "");
  // Dot segments and hidden files (.env, .git) are never served.
  if (segments.some((s) => s.startsWith("."))) return undefined;
  return segments;
}

export type Resolved =
  | { kind: "file"; path: string; size: number; mtimeMs: number }
  | { kind: "missing" }
  | { kind: "refused" };

/** `root` must already be a real path (no symlinks in it). */
export async function resolveInside(root: string, pathname: string): Promise<Resolved> {
  const segments = safeSegments(pathname);
  if (!segments) return { kind: "refused" };
  if (segments.length === 0) return { kind: "missing" };
  let real: string;
  try {
    real = await realpath(join(root, ...segments));
  } catch {
    return { kind: "missing" };
  }
  if (!real.startsWith(root + sep)) return { kind: "refused" };
  const info = await stat(real).catch(() => undefined);
  if (!info?.isFile()) return { kind: "missing" };
  return { kind: "file", path: real, size: info.size, mtimeMs: info.mtimeMs };
}

/** `index-3f9a1c2b.js`, `app.BmX-3kQ9.css`: 8+ base64url characters with a digit or capital after a `-` or `.`. */
export function isHashedName(name: string): boolean {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return false;
  const stem = name.slice(0, dot);
  for (let i = 0; i < stem.length; i++) {
    if (stem[i] !== "-" && stem[i] !== ".") continue;
    const tail = stem.slice(i + 1);
    if (/^[A-Za-z0-9_-]{8,64}$/.test(tail) && /[0-9A-Z]/.test(tail)) return true;
  }
  return false;
}

export function cacheControlFor(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (NO_CACHE_FILES.has(name)) return NO_CACHE;
  return isHashedName(name) ? IMMUTABLE : SHORT_CACHE;
}

/** A last segment with an extension (`/logo.png`) names a file; anything else is a UI route. */
export function looksLikeFile(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf("/") + 1);
  return /\.[A-Za-z0-9]{1,8}$/.test(last);
}

/** True when `pathname` is `prefix` itself or below it. */
export function isUnder(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
}

/** `If-None-Match` against an ETag, with weak comparison (RFC 9110 §13.1.2). */
export function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => bare(tag) === bare(etag));
}
