/**
 * Build the single `imbi` executable with `Bun.build({ compile })`.
 *
 *   bun scripts/build.ts                                  # src/main.ts -> dist/imbi
 *   bun scripts/build.ts --entry x.ts --outfile /tmp/x    # any other entry point
 *   bun scripts/build.ts --target bun-linux-x64-baseline  # CPUs without AVX2
 *   bun scripts/build.ts --no-minify
 *
 * Also importable: `buildBinary({ entry, outfile })` (used by tests/binary).
 *
 * Compile-time constant (identifier replaced by `define`, read in src/version.ts):
 *   IMBI_COMMIT   $IMBI_COMMIT, else `git rev-parse` (+ "-dirty"), else "unknown"
 */
import { mkdir, stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };

const repoRoot = resolve(import.meta.dir, "..");

export interface BuildBinaryOptions {
  /** Entry point; relative paths are resolved against the current directory. Default: src/main.ts */
  entry?: string;
  /** Executable to write; relative paths are resolved against the current directory. Default: dist/imbi */
  outfile?: string;
  /** Default true (whitespace + syntax only). */
  minify?: boolean;
  /**
   * Default: the running Bun's own platform. E.g. "bun-linux-x64-baseline" for
   * CPUs without AVX2 (Bun downloads that runtime from the npm registry). The
   * native sharp/libvips packages installed in node_modules must match the target.
   */
  target?: Bun.Build.CompileTarget;
}

export interface BuildBinaryResult {
  outfile: string;
  sizeBytes: number;
  buildMs: number;
  version: string;
  commit: string;
}

export async function buildBinary(options: BuildBinaryOptions = {}): Promise<BuildBinaryResult> {
  const entry = options.entry ? resolve(options.entry) : resolve(repoRoot, "src/main.ts");
  const outfile = options.outfile ? resolve(options.outfile) : resolve(repoRoot, "dist/imbi");
  const minify = options.minify ?? true;
  const version = pkg.version;
  const commit = process.env.IMBI_COMMIT || gitCommit() || "unknown";
  await mkdir(dirname(outfile), { recursive: true });

  const started = performance.now();
  const result = await Bun.build({
    entrypoints: [entry],
    target: "bun",
    compile: {
      outfile,
      // Only when set: Bun rejects `target: undefined`.
      ...(options.target && { target: options.target }),
      // The app's config loader reads .env itself (and reports where values came
      // from); the binary must not pre-load .env or a bunfig.toml from its cwd.
      autoloadDotenv: false,
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
    },
    // Identifiers are NOT minified: Bun 1.4.5 ignores `keepNames`, so renaming
    // would change class/function `.name` (error names in logs and responses,
    // function names in stack traces) for a negligible size gain.
    minify: minify ? { whitespace: true, syntax: true, identifiers: false } : false,
    // With `compile` the map is also stored (zstd) inside the executable, so stack
    // traces point at src/… lines; the `<outfile>.map` Bun writes beside it is
    // not needed at run time.
    sourcemap: "linked",
    define: {
      IMBI_COMMIT: JSON.stringify(commit),
    },
    throw: false,
  });
  const buildMs = Math.round(performance.now() - started);
  if (!result.success) {
    throw new Error(`bun build failed for ${entry}:\n${result.logs.map((l) => String(l)).join("\n")}`);
  }
  const sizeBytes = (await stat(outfile)).size;
  return { outfile, sizeBytes, buildMs, version, commit };
}

/** Short commit of the repo, with "-dirty" for uncommitted changes; undefined without git. */
function gitCommit(): string | undefined {
  try {
    const git = (...args: string[]) => Bun.spawnSync(["git", "-C", repoRoot, ...args], { stderr: "ignore" });
    const head = git("rev-parse", "--short=12", "HEAD");
    if (!head.success) return undefined;
    const dirty = git("status", "--porcelain", "--untracked-files=no").stdout.toString().trim() !== "";
    return head.stdout.toString().trim() + (dirty ? "-dirty" : "");
  } catch {
    return undefined; // git not installed
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      entry: { type: "string" },
      outfile: { type: "string" },
      target: { type: "string" },
      "no-minify": { type: "boolean" },
    },
  });
  try {
    const r = await buildBinary({
      entry: values.entry,
      outfile: values.outfile,
      target: values.target as Bun.Build.CompileTarget | undefined,
      minify: !values["no-minify"],
    });
    const mb = (r.sizeBytes / 1024 / 1024).toFixed(1);
    console.log(`built ${relative(process.cwd(), r.outfile) || r.outfile}: ${mb} MiB in ${r.buildMs} ms (imbi ${r.version}, commit ${r.commit})`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
