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
 * Fix: embed libvips too and load it first (native-library.ts).
 */
import { dlopen } from "bun:ffi";
import { preloadNativeLibrary } from "./native-library.ts";

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
  libvipsHandle = await preloadNativeLibrary({
    embeddedPath: await embeddedLibvipsPath(), fileName: "libvips-cpp.so", label: "libvips",
    open(file) {
      // vips_version(0) = major version: one real call proves the library is usable.
      const lib = dlopen(file, { vips_version: { args: ["i32"], returns: "i32" } });
      if (lib.symbols.vips_version(0) < 8) throw new Error("unexpected libvips version");
      return lib;
    },
  });
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
