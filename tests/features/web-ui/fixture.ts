/**
 * A small built SPA in a temp dir, with a secret file next to it (outside) and symlinks that
 * try to reach it, plus `rawGet` for request targets that URL parsers would normalize.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SECRET = "TOP-SECRET-OUTSIDE-THE-UI-DIR";
export const HASHED_JS = "assets/app-3f9a1c2b.js";

export const INDEX_HTML = `<!doctype html>
<html><head>
<meta name="api-url" content="{{env "VITE_API_URL"}}">
<script>window.__ENV__ = {"VITE_API_URL": "{{ env   "VITE_API_URL" }}"};</script>
<script type="module" src="/${HASHED_JS}"></script>
</head><body><div id="root"></div></body></html>
`;

export interface Fixture { root: string; ui: string; outside: string; remove(): void }

export function createFixture(): Fixture {
  const root = mkdtempSync(join(tmpdir(), "imbi-web-ui-"));
  const ui = join(root, "ui");
  const outside = join(root, "outside");
  mkdirSync(join(ui, "assets"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(ui, "index.html"), INDEX_HTML);
  writeFileSync(join(ui, HASHED_JS), "console.log('app');\n");
  writeFileSync(join(ui, "assets/app-BmX-kQza.css"), "body{margin:0}\n");
  writeFileSync(join(ui, "assets/logo.svg"), `<svg xmlns="http://www.w3.org/2000/svg"/>`);
  writeFileSync(join(ui, "version.json"), `{"version":"1.2.3"}`);
  writeFileSync(join(ui, "sw.js"), "self.addEventListener('fetch', () => {});\n");
  writeFileSync(join(ui, "robots.txt"), "User-agent: *\n");
  writeFileSync(join(ui, ".env"), SECRET);
  writeFileSync(join(outside, "secret.txt"), SECRET);
  symlinkSync(join(outside, "secret.txt"), join(ui, "leak.txt"));
  symlinkSync("../outside", join(ui, "escape"));
  symlinkSync(HASHED_JS, join(ui, "alias.js"));
  return { root, ui, outside, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** One HTTP/1.1 request with the target sent byte for byte; returns status line + body. */
export function rawGet(base: string, target: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("end", () => resolve({ status: Number(data.split(" ")[1]), text: data }));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
  });
}
