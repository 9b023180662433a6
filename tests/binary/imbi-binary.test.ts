/**
 * The compiled `dist/imbi`-style executable against the stack: /status, /openapi.json and
 * /docs, `imbi setup`, a password login, and an upload whose WEBP thumbnail sharp makes
 * inside the binary.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import { isolatedEnv } from "../helpers/app.ts";
import { runImbi, startServer, type Server } from "../helpers/process.ts";
import { loadSharp } from "../../src/infra/image.ts";

describe("the compiled binary", () => {
  const dir = mkdtempSync(join(tmpdir(), "imbi-bin-"));
  const binary = join(dir, "imbi");
  let server: Server;
  let drop: () => Promise<void>;
  let env: Record<string, string>;

  beforeAll(async () => {
    await buildBinary({ entry: "src/main.ts", outfile: binary });
    const isolated = await isolatedEnv({ IMBI_API_URL: "http://127.0.0.1/api" });
    drop = isolated.drop;
    env = isolated.env;
    server = await startServer(env, binary, "/api");
  }, 120_000);

  afterAll(async () => {
    server?.proc.kill("SIGTERM");
    await server?.proc.exited;
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  test("`imbi version` names the release", () => {
    expect(runImbi(["version"], {}, binary).stdout).toStartWith("imbi ");
  });

  test("serves {prefix}/status", async () => {
    const response = await fetch(`${server.base}/status`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ service: "imbi", status: "ok" });
  });

  test("serves /openapi.json and /docs at the root, with the docs assets embedded", async () => {
    const root = server.base.replace(/\/api$/, "");
    const spec = (await (await fetch(`${root}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain("/api/status");
    const docs = await fetch(`${root}/docs`);
    expect(docs.status).toBe(200);
    const bundle = await fetch(`${root}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(500_000);
  });

  test("exits 2 on a bad setting, like the source build", () => {
    const { code, stderr } = runImbi(["serve"], { IMBI_API_PORT: "nope" }, binary);
    expect(code).toBe(2);
    expect(stderr).toContain("IMBI_API_PORT");
  });

  test("`imbi setup` creates an admin who logs in and uploads a PNG; the thumbnail is WEBP", async () => {
    const setup = runImbi(["setup", "--non-interactive", "--admin-email", "bin@example.com", "--org-slug", "bin"],
      { ...env, IMBI_SETUP_ADMIN_PASSWORD: "Binary-Passw0rd!" }, binary);
    expect(setup.stderr).toBe("");
    expect(setup.code).toBe(0);
    const login = await fetch(`${server.base}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "bin@example.com", password: "Binary-Passw0rd!" }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const png = await (await loadSharp())({ create: { width: 600, height: 300, channels: 3, background: "#3366cc" } }).png().toBuffer();
    const form = new FormData();
    form.append("file", new Blob([png], { type: "image/png" }), "logo.png");
    const auth = { authorization: `Bearer ${access_token}` };
    const upload = await fetch(`${server.base}/uploads/`, { method: "POST", body: form, headers: auth });
    expect(upload.status).toBe(201);
    const { id, has_thumbnail } = (await upload.json()) as { id: string; has_thumbnail: boolean };
    expect(has_thumbnail).toBe(true);
    const thumbnail = new Uint8Array(await (await fetch(`${server.base}/uploads/${id}/thumbnail`, { headers: auth })).arrayBuffer());
    expect(new TextDecoder().decode(thumbnail.subarray(0, 4))).toBe("RIFF");
    expect(new TextDecoder().decode(thumbnail.subarray(8, 12))).toBe("WEBP");
  }, 60_000);
});
