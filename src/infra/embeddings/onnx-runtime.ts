/**
 * ONNX Runtime (onnxruntime-node), from source and inside the single `bun build --compile`
 * executable, the way src/infra/image.ts loads sharp:
 *  - onnxruntime-node is always loaded with `require`, lazily, so a machine where the addon
 *    cannot load still starts (search stays lexical) and `bun test` runs the code the binary
 *    runs.
 *  - Its binding is required with a path the bundler resolves at build time, so the addon
 *    is embedded and Bun writes it to a temp file and dlopen()s it at run time. But the
 *    addon needs libonnxruntime.so.1 (DT_NEEDED), found through RUNPATH $ORIGIN/, i.e.
 *    next to the original addon in node_modules, which the binary does not have.
 * Fix: embed libonnxruntime.so.1 too and load it first (../native-library.ts).
 */
import { dlopen } from "bun:ffi";
import { preloadNativeLibrary } from "../native-library.ts";

export type Ort = typeof import("onnxruntime-node");

let ortPromise: Promise<Ort> | undefined;
// Kept reachable for the life of the process so the library is never unloaded.
let runtimeHandle: unknown;

/** Loads onnxruntime-node once per process; a failure is not cached, so a later call retries. */
export function loadOnnxRuntime(): Promise<Ort> {
  ortPromise ??= load().catch((error) => {
    ortPromise = undefined;
    throw error;
  });
  return ortPromise;
}

async function load(): Promise<Ort> {
  if (Bun.isStandaloneExecutable) await preloadEmbeddedRuntime();
  return require("onnxruntime-node") as Ort;
}

/** Path of the runtime library inside the executable; a literal specifier, so the bundler embeds it. */
async function embeddedRuntimePath(): Promise<string> {
  const target = `${process.platform}-${process.arch}`;
  switch (target) {
    case "linux-x64":
      // @ts-expect-error -- a shared library has no type declarations
      return (await import("onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1", { with: { type: "file" } })).default;
    default:
      throw new Error(`no embedded ONNX Runtime for ${target}; build the binary on linux-x64 (glibc)`);
  }
}

async function preloadEmbeddedRuntime(): Promise<void> {
  runtimeHandle = await preloadNativeLibrary({
    embeddedPath: await embeddedRuntimePath(), fileName: "libonnxruntime.so.1", label: "ONNX Runtime",
    open(file) {
      // OrtGetApiBase is the runtime's one C entry point: calling it proves the library is usable.
      const lib = dlopen(file, { OrtGetApiBase: { args: [], returns: "ptr" } });
      if (!lib.symbols.OrtGetApiBase()) throw new Error("OrtGetApiBase returned null");
      return lib;
    },
  });
}
