/**
 * CORS for the SPA and other browser clients: only origins listed in
 * IMBI_API_CORS_ALLOWED_ORIGINS get CORS headers, always with credentials. The headers
 * clients must read (pagination, rate limits, request id) are exposed (D2).
 */
import { cors } from "@elysiajs/cors";

export const EXPOSED_HEADERS = [
  "Link", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy",
  "X-Request-Id", "X-MFA-Required", "WWW-Authenticate",
];

export function corsPlugin(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/$/, "")));
  return cors({
    origin: (request: Request) => allowed.has(request.headers.get("origin") ?? ""),
    credentials: true,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    // Mcp-*: browser-based MCP clients send them to /mcp (MCP Streamable HTTP).
    allowedHeaders: ["Authorization", "Content-Type", "Accept", "X-Request-Id", "X-API-Key", "Mcp-Protocol-Version", "Mcp-Session-Id"],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}
