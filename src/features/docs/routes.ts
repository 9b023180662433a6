/**
 * GET /docs: Swagger UI over /openapi.json, with its script and stylesheet served from the
 * binary itself so the page renders on a machine with no internet access (no CDN).
 */
import { Elysia } from "elysia";
import bundlePath from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import cssPath from "swagger-ui-dist/swagger-ui.css" with { type: "file" };

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Imbi API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// Inline scripts would need a CSP hash; a separate file keeps a strict policy simple.
const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });`;

const STRICT_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:";

export function docsRoutes() {
  const asset = (path: string, type: string) => () =>
    new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
  return new Elysia({ name: "imbi.docs" })
    .get("/docs", () => new Response(page, {
      headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": STRICT_CSP },
    }), { detail: { hide: true } })
    .get("/docs/swagger-ui-bundle.js", asset(bundlePath, "text/javascript; charset=utf-8"), { detail: { hide: true } })
    .get("/docs/swagger-ui.css", asset(cssPath, "text/css; charset=utf-8"), { detail: { hide: true } })
    .get("/docs/init.js", () => new Response(init, { headers: { "content-type": "text/javascript; charset=utf-8" } }),
      { detail: { hide: true } });
}
