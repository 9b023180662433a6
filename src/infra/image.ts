/**
 * Image processing with sharp (libvips), working both from source and inside
 * the single `bun build --compile` executable.
 *
 * sharp is always loaded with `require("sharp")`, i.e. its CommonJS build and its
 * own unmodified loader, so `bun test` exercises the same code the binary runs.
 * From source that is all: the loader finds the addon and libvips in node_modules.
 *
 * In the compiled binary, sharp's loader nearly works:
 *  - The CommonJS build contains the literal `require("@img/sharp-linux-x64/sharp.node")`,
 *    so the bundler embeds the addon, and at run time Bun writes it to
 *    `$TMPDIR/.bun-*.node` and dlopen()s it. (The ESM build uses `createRequire`,
 *    which the bundler cannot follow: never `import "sharp"` directly, or the
 *    binary fails at startup; `import type` is fine.)
 *  - But the addon needs `libvips-cpp.so.<ver>` (DT_NEEDED), found through an
 *    RPATH relative to the node_modules layout (`$ORIGIN/../../sharp-libvips-…/lib`),
 *    which does not exist next to Bun's temp copy, so dlopen() fails.
 * Fix: embed libvips too, write it once to a private cache dir and dlopen() it
 * *before* sharp loads. The dynamic linker satisfies a DT_NEEDED entry with an
 * already-loaded library whose DT_SONAME matches, so the addon binds to our copy
 * and the RPATH is never searched. No patching of sharp, no LD_LIBRARY_PATH.
 */
import { dlopen } from "bun:ffi";
import { lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export type Sharp = typeof import("sharp").default;

/**
 * Decompression-bomb guard: refuse inputs whose header claims more pixels than
 * this (a few-KB PNG can declare 50 000 × 50 000). 50 MP still covers 48 MP phone photos.
 */
export const MAX_INPUT_PIXELS = 50_000_000;

let sharpPromise: Promise<Sharp> | undefined;
// Kept reachable for the life of the process so the handle is never closed.
let libvipsHandle: unknown;

/** Load sharp once per process; a failure is not cached, so a later call retries. */
export function loadSharp(): Promise<Sharp> {
  sharpPromise ??= load().catch((err) => {
    sharpPromise = undefined;
    throw err;
  });
  return sharpPromise;
}

async function load(): Promise<Sharp> {
  if (Bun.isStandaloneExecutable) await preloadEmbeddedLibvips();
  // `require`, not `import`: see the comment at the top of the file.
  return require("sharp") as Sharp;
}

/**
 * Path of libvips inside the executable (`/$bunfs/root/libvips-cpp…`).
 * Literal specifiers so the bundler embeds the file; `/binary` is the package's
 * own export of the .so (sharp's loader already references it, so it is stored once).
 */
async function embeddedLibvipsPath(): Promise<string> {
  const target = `${process.platform}-${process.arch}`;
  switch (target) {
    case "linux-x64":
      // @ts-expect-error -- a shared library has no type declarations
      return (await import("@img/sharp-libvips-linux-x64/binary", { with: { type: "file" } })).default;
    default:
      throw new Error(`imbi: no embedded libvips for ${target}; build the binary on linux-x64 (glibc)`);
  }
}

async function preloadEmbeddedLibvips(): Promise<void> {
  const bytes = await Bun.file(await embeddedLibvipsPath()).bytes();
  // Content-addressed dir: binaries with the same libvips share one copy, a new
  // libvips gets a new dir. wyhash is enough for a cache key; integrity is
  // checked below by comparing bytes, and tampering is prevented by ownership.
  const key = `${Bun.hash(bytes).toString(16)}-${bytes.length}`;
  const uid = process.getuid?.() ?? 0;
  // Try the user cache first, then the temp dir (HOME may be missing, read-only or noexec).
  const home = cacheHome();
  const roots = [...(home ? [join(home, "imbi")] : []), join(tmpdir(), `imbi-${uid}`)];
  const errors: string[] = [];
  for (const root of roots) {
    try {
      const file = await extract(root, join("native", key), bytes, uid);
      // vips_version(0) = major version: one real call proves the library is usable.
      const lib = dlopen(file, { vips_version: { args: ["i32"], returns: "i32" } });
      if (lib.symbols.vips_version(0) < 8) throw new Error("unexpected libvips version");
      libvipsHandle = lib;
      return;
    } catch (err) {
      errors.push(`${root}: ${(err as Error).message}`);
    }
  }
  throw new Error(
    `imbi: cannot extract the embedded libvips (set XDG_CACHE_HOME to a writable, exec-allowed directory):\n  ${errors.join("\n  ")}`,
  );
}

/** $XDG_CACHE_HOME, else ~/.cache; undefined when there is no home at all. */
function cacheHome(): string | undefined {
  if (process.env.XDG_CACHE_HOME) return process.env.XDG_CACHE_HOME;
  try {
    return join(homedir(), ".cache");
  } catch {
    return undefined; // homedir() throws when HOME is unset and the uid has no passwd entry
  }
}

/** Write `bytes` to `<root>/<sub>/libvips-cpp.so` unless an identical copy is already there. */
async function extract(root: string, sub: string, bytes: Uint8Array, uid: number): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  // `root` may be in a shared /tmp: it must be ours and not writable by others
  // (no symlink either), else another user could plant or swap the library.
  const st = await lstat(root);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new Error(`${root} must be a directory owned by uid ${uid}, not group/world-writable`);
  }
  const dir = join(root, sub);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, "libvips-cpp.so");

  const existing = await readFile(file).catch(() => undefined);
  if (existing && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(existing)) return file;

  // Write under a unique name, then rename(): readers (and concurrent processes
  // doing the same) only ever see a complete file. The last rename wins; all
  // copies are identical, and an already-mapped older inode stays valid.
  const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await writeFile(tmp, bytes, { mode: 0o500, flag: "wx" });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return file;
}

/**
 * Make a WEBP thumbnail that fits inside maxSize × maxSize.
 * EXIF orientation is applied (and the tag dropped, as sharp strips metadata),
 * only the first frame/page is read, images are never enlarged.
 */
export async function makeWebpThumbnail(
  input: Uint8Array,
  maxSize: number,
  quality: number,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, pages: 1 })
    .rotate() // no angle: orient from EXIF, before resize so the bounds apply to the displayed shape
    .resize(maxSize, maxSize, { fit: "inside", withoutEnlargement: true })
    .webp({ quality })
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
