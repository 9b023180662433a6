/**
 * Shared libraries that native addons need inside the single `bun build --compile`
 * executable (libvips for sharp, libonnxruntime for onnxruntime-node).
 *
 * Bun embeds an addon the bundler can see and dlopen()s a temp copy of it at run time, but
 * the addon's DT_NEEDED library is found through an RPATH relative to node_modules, which
 * does not exist next to that copy. So the library is embedded too, written once to a
 * private cache directory and dlopen()ed *before* the addon loads: the dynamic linker
 * satisfies DT_NEEDED with an already-loaded library of the same SONAME and never searches
 * the RPATH. No patching of the packages, no LD_LIBRARY_PATH.
 */
import { lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export interface NativeLibrary {
  /** The embedded file (`/$bunfs/root/…`), from an `import … with { type: "file" }`. */
  embeddedPath: string;
  /** The name to write it under (its SONAME). */
  fileName: string;
  /** What it is, for the error message. */
  label: string;
  /** dlopen()s the extracted file and makes one real call, throwing if it is unusable. */
  open(file: string): unknown;
}

/** Extracts the library (first to the user cache, else the temp dir) and opens it; returns the handle. */
export async function preloadNativeLibrary(library: NativeLibrary): Promise<unknown> {
  const bytes = await Bun.file(library.embeddedPath).bytes();
  // Content-addressed: binaries with the same library share one copy, a new one gets a new
  // directory. wyhash is enough for a cache key; integrity is checked by comparing bytes,
  // and tampering is prevented by ownership.
  const key = `${Bun.hash(bytes).toString(16)}-${bytes.length}`;
  const uid = process.getuid?.() ?? 0;
  // HOME may be missing, read-only or noexec: the temp dir is the fallback.
  const home = cacheHome();
  const roots = [...(home ? [join(home, "imbi")] : []), join(tmpdir(), `imbi-${uid}`)];
  const errors: string[] = [];
  for (const root of roots) {
    try {
      return library.open(await extract(root, join("native", key), library.fileName, bytes, uid));
    } catch (error) {
      errors.push(`${root}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `imbi: cannot extract the embedded ${library.label} (set XDG_CACHE_HOME to a writable, exec-allowed directory):\n  ${errors.join("\n  ")}`,
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

/** Writes `bytes` to `<root>/<sub>/<name>` unless an identical copy is already there. */
async function extract(root: string, sub: string, name: string, bytes: Uint8Array, uid: number): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  // `root` may be in a shared /tmp: it must be ours and not writable by others
  // (no symlink either), else another user could plant or swap the library.
  const st = await lstat(root);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new Error(`${root} must be a directory owned by uid ${uid}, not group/world-writable`);
  }
  const dir = join(root, sub);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);

  const existing = await readFile(file).catch(() => undefined);
  if (existing && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(existing)) return file;

  // Write under a unique name, then rename(): readers (and concurrent processes doing the
  // same) only ever see a complete file. The last rename wins; all copies are identical,
  // and an already-mapped older inode stays valid.
  const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await writeFile(tmp, bytes, { mode: 0o500, flag: "wx" });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return file;
}
