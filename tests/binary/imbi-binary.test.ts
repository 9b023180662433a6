/** The compiled `dist/imbi`-style executable serves /status, /openapi.json and /docs against the stack. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import { isolatedEnv } from "../helpers/app.ts";
import { runImbi, startServer, type Server } from "../helpers/process.ts";

describe("the compiled binary", () => {
  const dir = mkdtempSync(join(tmpdir(), "imbi-bin-"));
  const binary = join(dir, "imbi");
  let server: Server;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    await buildBinary({ entry: "src/main.ts", outfile: binary });
    const isolated = await isolatedEnv({ IMBI_API_URL: "http://127.0.0.1/api" });
    drop = isolated.drop;
    server = await startServer(isolated.env, binary, "/api");
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
});
