/**
 * The web UI from the same binary (IMBI_API_UI_DIR): files of a built SPA at the root of the
 * origin, and index.html for every other GET that is not the API's. Mounted after the API,
 * so API routes match first; reserved paths (the API prefix, /openapi.json, /docs, /status,
 * /.well-known/*, /mcp) are never answered from here, so an unknown API path stays a JSON 404.
 */
import { Elysia } from "elysia";
import { realpathSync, statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../../http/errors.ts";
import { cacheControlFor, isUnder, looksLikeFile, matchesEtag, NO_CACHE, resolveInside } from "./resolve.ts";

export interface WebUiOptions {
  /** IMBI_API_UI_DIR; null mounts nothing. */
  dir: string | null;
  /** The API's path prefix ("" or e.g. "/api"). */
  prefix: string;
  /** Paths of the API's routes; with an empty prefix their first segments are reserved. */
  apiPaths?: string[];
}

const ALWAYS_RESERVED = ["/openapi.json", "/docs", "/status", "/.well-known", "/mcp"];
const PLACEHOLDER = /\{\{\s*env\s+(["'])VITE_API_URL\1\s*\}\}/g;

/** Safe inside HTML text, attributes and JS/JSON strings: every other character is percent-encoded. */
export function safeUrlPath(value: string): string {
  return value.replace(/[^A-Za-z0-9/._~%-]/g, (c) =>
    [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}

export function reservedPrefixes(apiPrefix: string, apiPaths: string[] = []): string[] {
  if (apiPrefix) return [apiPrefix, ...ALWAYS_RESERVED];
  const firsts = apiPaths.map((p) => p.split("/")[1]).filter((s): s is string => !!s && !s.startsWith(":") && s !== "*");
  return [...new Set([...ALWAYS_RESERVED, ...firsts.map((s) => `/${s}`)])];
}

interface IndexPage { mtimeMs: number; size: number; body: string; etag: string }

/** index.html with the placeholder filled in; read again only when the file changes. */
function indexLoader(root: string, apiUrl: string): () => IndexPage | undefined {
  const path = join(root, "index.html");
  let cached: IndexPage | undefined;
  return () => {
    let info;
    try {
      info = statSync(path);
    } catch {
      return undefined;
    }
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = readFileSync(path, "utf8").replace(PLACEHOLDER, apiUrl);
    cached = { mtimeMs: info.mtimeMs, size: info.size, body, etag: `"${Bun.hash(body).toString(16)}"` };
    return cached;
  };
}

function notModified(etag: string, cacheControl: string): Response {
  return new Response(null, { status: 304, headers: { etag, "cache-control": cacheControl } });
}

export function webUiRoutes({ dir, prefix, apiPaths }: WebUiOptions) {
  const plugin = new Elysia({ name: "imbi.web-ui" });
  if (dir === null) return plugin;
  const root = realpathSync(dir);
  const reserved = reservedPrefixes(prefix, apiPaths);
  const loadIndex = indexLoader(root, safeUrlPath(prefix));

  const sendIndex = (request: Request): Response => {
    const page = loadIndex();
    if (!page) throw new NotFoundError();
    if (matchesEtag(request.headers.get("if-none-match"), page.etag)) return notModified(page.etag, NO_CACHE);
    const headers = {
      "content-type": "text/html; charset=utf-8", "cache-control": NO_CACHE, etag: page.etag,
      "x-content-type-options": "nosniff",
    };
    return new Response(page.body, { headers });
  };

  const handle = async ({ request }: { request: Request }): Promise<Response> => {
    const pathname = new URL(request.url).pathname;
    if (reserved.some((prefix) => isUnder(pathname, prefix))) throw new NotFoundError();
    const found = await resolveInside(root, pathname);
    if (found.kind === "refused") throw new NotFoundError();
    if (found.kind === "missing") {
      if (looksLikeFile(pathname)) throw new NotFoundError();
      return sendIndex(request);
    }
    if (found.path === join(root, "index.html")) return sendIndex(request);
    const cacheControl = cacheControlFor(pathname); // the requested name, not a symlink's target
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    if (matchesEtag(request.headers.get("if-none-match"), etag)) return notModified(etag, cacheControl);
    const file = Bun.file(found.path);
    const headers = {
      "content-type": file.type || "application/octet-stream", "cache-control": cacheControl, etag,
      "x-content-type-options": "nosniff",
    };
    // HEAD too: the server sends the headers (Content-Length included) and drops the body.
    return new Response(file, { headers });
  };

  const hidden = { detail: { hide: true } };
  return plugin
    .get("/", handle, hidden).head("/", handle, hidden)
    .get("/*", handle, hidden).head("/*", handle, hidden);
}
