/**
 * Proves sharp works inside a `bun build --compile` executable with nothing
 * from the repo: builds a tiny binary around makeWebpThumbnail(), copies it to a
 * temp dir with no node_modules above it, and runs it with a fresh HOME,
 * XDG_CACHE_HOME and TMPDIR and a minimal environment.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import { loadSharp } from "../../src/infra/image.ts";

const repoRoot = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "imbi-sharp-binary-"));
const runDir = join(work, "run");
const binary = join(runDir, "thumb");
const inputPng = join(runDir, "in.png");

// Entry point of the test binary. It reports which files the dynamic linker
// actually mapped, so the test can show libvips came from the cache, not the repo.
const entrySource = `
import { readFileSync } from "node:fs";
import { makeWebpThumbnail } from ${JSON.stringify(join(repoRoot, "src/infra/image.ts"))};
const [input, output] = process.argv.slice(2);
const thumb = await makeWebpThumbnail(await Bun.file(input).bytes(), 256, 80);
await Bun.write(output, thumb.data);
const mapped = readFileSync("/proc/self/maps", "utf8").split("\\n")
  .map((line) => line.split(/\\s+/).slice(5).join(" ")).filter((p) => p.startsWith("/"));
console.log(JSON.stringify({
  width: thumb.width, height: thumb.height, mapped: [...new Set(mapped)],
  dotenv: process.env.IMBI_PROBE ?? null, bunfigPreload: globalThis.IMBI_PRELOADED ?? null,
}));
`;

interface Report {
  width: number;
  height: number;
  mapped: string[];
  dotenv: string | null;
  bunfigPreload: string | null;
}

/** Fresh HOME/XDG_CACHE_HOME/TMPDIR and nothing else inherited (no NODE_PATH, BUN_*, …). */
function freshEnv(name: string): Record<string, string> {
  const home = join(work, name);
  const env = { PATH: "/usr/bin:/bin", HOME: home, XDG_CACHE_HOME: join(home, "xdg-cache"), TMPDIR: join(home, "tmp") };
  mkdirSync(env.TMPDIR, { recursive: true });
  return env;
}

async function runThumb(env: Record<string, string>, output: string): Promise<Report> {
  const proc = Bun.spawn([binary, inputPng, output], { cwd: runDir, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`binary exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Report;
}

function libvipsCopies(env: Record<string, string>): string[] {
  const native = join(env.XDG_CACHE_HOME!, "imbi", "native");
  return readdirSync(native).flatMap((key) => readdirSync(join(native, key)).map((f) => join(native, key, f)));
}

// image.ts only embeds libvips for linux-x64 (glibc), the Docker target.
describe.skipIf(process.platform !== "linux" || process.arch !== "x64")("compiled binary + sharp", () => {
  beforeAll(async () => {
    mkdirSync(join(work, "src"), { recursive: true });
    mkdirSync(runDir, { recursive: true });
    const entry = join(work, "src", "entry.ts");
    writeFileSync(entry, entrySource);
    const built = await buildBinary({ entry, outfile: join(work, "build", "thumb") });
    console.log(`test binary: ${(built.sizeBytes / 2 ** 20).toFixed(1)} MiB, built in ${built.buildMs} ms`);
    copyFileSync(built.outfile, binary);

    // Nothing must be resolvable from the run dir: no node_modules in any ancestor.
    for (let dir = runDir; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules"))).toBe(false);
    }
    // The binary must ignore a .env and a bunfig.toml in its working directory.
    writeFileSync(join(runDir, ".env"), "IMBI_PROBE=loaded-from-dotenv\n");
    writeFileSync(join(runDir, "preload.js"), 'globalThis.IMBI_PRELOADED = "yes";\n');
    writeFileSync(join(runDir, "bunfig.toml"), 'preload = ["./preload.js"]\n');

    // 800×400 PNG with EXIF orientation 6 (rotate 90° clockwise to display: 400×800).
    const sharp = await loadSharp();
    const png = await sharp({ create: { width: 800, height: 400, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .withMetadata({ orientation: 6 })
      .png()
      .toBuffer();
    writeFileSync(inputPng, png);
  }, 60_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("compiled binary makes a WEBP thumbnail without the repo's node_modules", async () => {
    const env = freshEnv("first");
    const output = join(runDir, "out.webp");
    const report = await runThumb(env, output);

    const webp = await Bun.file(output).bytes();
    expect(Buffer.from(webp.subarray(0, 4)).toString("latin1")).toBe("RIFF");
    expect(Buffer.from(webp.subarray(8, 12)).toString("latin1")).toBe("WEBP");
    // 800×400 rotated to 400×800, then fit inside 256×256.
    expect({ width: report.width, height: report.height }).toEqual({ width: 128, height: 256 });
    const meta = await (await loadSharp())(webp).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: "webp", width: 128, height: 256 });

    // libvips was mapped from the private cache, the addon from Bun's TMPDIR copy,
    // and nothing from the repository.
    const libvips = report.mapped.filter((p) => p.includes("libvips"));
    expect(libvips).toHaveLength(1);
    expect(libvips[0]!.startsWith(join(env.XDG_CACHE_HOME!, "imbi", "native") + "/")).toBe(true);
    expect(report.mapped.some((p) => p.startsWith(env.TMPDIR! + "/") && p.endsWith(".node"))).toBe(true);
    expect(report.mapped.filter((p) => p.startsWith(repoRoot))).toEqual([]);
    expect(report.dotenv).toBeNull();
    expect(report.bunfigPreload).toBeNull();

    const [copy] = libvipsCopies(env);
    expect(statSync(dirname(copy!)).mode & 0o777).toBe(0o700);
    expect(statSync(copy!).mode & 0o777).toBe(0o500);
  }, 30_000);

  test("concurrent first runs share one extracted copy, later runs reuse it", async () => {
    const env = freshEnv("concurrent");
    const reports = await Promise.all([1, 2, 3].map((i) => runThumb(env, join(runDir, `out-${i}.webp`))));
    for (const r of reports) expect([r.width, r.height]).toEqual([128, 256]);

    const copies = libvipsCopies(env);
    expect(copies).toHaveLength(1); // no leftover *.tmp files
    const expected = await Bun.file(Bun.resolveSync("@img/sharp-libvips-linux-x64/binary", repoRoot)).bytes();
    expect(Buffer.from(await Bun.file(copies[0]!).bytes()).equals(expected)).toBe(true);

    const inode = statSync(copies[0]!).ino;
    await runThumb(env, join(runDir, "out-again.webp"));
    expect(statSync(copies[0]!).ino).toBe(inode); // cache hit: not rewritten
  }, 30_000);
});
