/**
 * Where a model's files live and how they get there. A model `owner/name` (its
 * `fastembed_id` in EMBEDDINGS_MODELS) is the directory `<EMBEDDINGS_CACHE_DIR>/owner--name/`
 * holding model.onnx and vocab.txt (+ tokenizer_config.json, 1_Pooling/config.json when the
 * model has them). When model.onnx is missing it is downloaded once from the Hugging Face
 * hub (the repository's ONNX export, onnx/model.onnx), unless HF_HUB_OFFLINE is set; the
 * hub's standard HF_ENDPOINT names a mirror. model.onnx is checked against the sha256 the hub
 * publishes for it (X-Linked-Etag), and the loader then checks it runs and has the configured
 * width. The set is written to a temporary directory and renamed into place, so a
 * half-finished download is never mistaken for a model.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { MODEL_FILE, VOCAB_FILE } from "./onnx-embedder.ts";

const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/** Remote path → local file; `required` files fail the download when absent. */
const HUB_FILES: { remote: string; local: string; required: boolean; verify: boolean }[] = [
  { remote: "onnx/model.onnx", local: MODEL_FILE, required: true, verify: true },
  { remote: "vocab.txt", local: VOCAB_FILE, required: true, verify: false },
  { remote: "tokenizer_config.json", local: "tokenizer_config.json", required: false, verify: false },
  { remote: "1_Pooling/config.json", local: "1_Pooling/config.json", required: false, verify: false },
];

/** EMBEDDINGS_CACHE_DIR, or $XDG_CACHE_HOME/imbi/models (~/.cache/imbi/models). */
export function resolveCacheDir(setting: string | null, env: Record<string, string | undefined> = process.env): string {
  if (setting) return resolve(setting);
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "imbi", "models");
}

export function modelDir(cacheDir: string, modelId: string): string {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(modelId) || modelId.split("/").some((part) => part === ".." || part === ".")) {
    throw new Error(`"${modelId}" is not a model id of the form owner/name`);
  }
  return join(cacheDir, modelId.replace("/", "--"));
}

export function isModelPresent(dir: string): boolean {
  return existsSync(join(dir, MODEL_FILE)) && existsSync(join(dir, VOCAB_FILE));
}

export function downloadsAllowed(env: Record<string, string | undefined> = process.env): boolean {
  return !["1", "true", "yes", "on"].includes((env.HF_HUB_OFFLINE ?? "").toLowerCase());
}

/**
 * The hub answers a large (LFS) file with a redirect to its CDN carrying the file's sha256
 * in X-Linked-Etag; small files come directly. A file marked `verify` must have that hash.
 */
async function fetchFile(url: string, signal: AbortSignal, verify: boolean): Promise<Uint8Array | null> {
  let response = await fetch(url, { signal, redirect: "manual" });
  const expected = (response.headers.get("x-linked-etag") ?? "").replace(/^W\//, "").replaceAll('"', "");
  const location = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && location) {
    response = await fetch(new URL(location, url), { signal, redirect: "follow" });
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!/^[0-9a-f]{64}$/.test(expected)) {
    if (verify) throw new Error(`GET ${url}: the hub published no sha256 (X-Linked-Etag) to verify it against`);
    return bytes;
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== expected) throw new Error(`GET ${url}: sha256 ${actual} does not match the published ${expected}`);
  return bytes;
}

/** Downloads the model into `dir` (atomically). Throws with a reason on any failure. */
export async function downloadModel(
  modelId: string, dir: string, env: Record<string, string | undefined> = process.env, abort?: AbortSignal,
): Promise<void> {
  const endpoint = (env.HF_ENDPOINT || "https://huggingface.co").replace(/\/+$/, "");
  const partial = `${dir}.partial-${process.pid}`;
  const timeout = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const signal = abort ? AbortSignal.any([timeout, abort]) : timeout;
  await rm(partial, { recursive: true, force: true });
  try {
    for (const file of HUB_FILES) {
      const bytes = await fetchFile(`${endpoint}/${modelId}/resolve/main/${file.remote}`, signal, file.verify);
      if (!bytes) {
        if (file.required) throw new Error(`${endpoint}/${modelId} has no ${file.remote}`);
        continue;
      }
      const target = join(partial, file.local);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}
