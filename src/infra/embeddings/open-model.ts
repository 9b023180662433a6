/**
 * A configured model, ready to embed: from the cache directory, downloaded first when it is
 * missing and downloads are allowed. Errors say where the model was looked for.
 */
import { loadOnnxEmbedder, type Embedder } from "./onnx-embedder.ts";
import { downloadModel, downloadsAllowed, isModelPresent, modelDir, resolveCacheDir } from "./model-files.ts";
import { errorMessage } from "../retry.ts";

export interface OpenModelOptions {
  cacheDir: string | null;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Called before a download starts (it can take minutes). */
  onDownload?: (dir: string) => void;
}

export async function openModel(modelId: string, dimensions: number, options: OpenModelOptions): Promise<Embedder> {
  const dir = modelDir(resolveCacheDir(options.cacheDir, options.env), modelId);
  if (!isModelPresent(dir)) {
    if (!downloadsAllowed(options.env)) throw new Error(`not found in ${dir} and HF_HUB_OFFLINE forbids downloading it`);
    options.onDownload?.(dir);
    try {
      await downloadModel(modelId, dir, options.env, options.signal);
    } catch (error) {
      throw new Error(`not found in ${dir}, and downloading it failed: ${errorMessage(error)}`);
    }
  }
  return loadOnnxEmbedder(dir, dimensions);
}
