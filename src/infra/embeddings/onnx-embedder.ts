/**
 * Sentence embeddings in-process with ONNX Runtime: WordPiece tokens in, the model's
 * token states out, pooled the way the model was trained (sentence-transformers'
 * 1_Pooling/config.json: CLS token for bge, mean over the attention mask otherwise) and
 * L2-normalised, so cosine distance is 1 − dot product.
 *
 * ONNX Runtime is loaded with the first model (./onnx-runtime.ts): a machine or binary where
 * its native addon does not load still serves lexical search (the caller reports the error).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { WordPieceTokenizer } from "./wordpiece.ts";
import { loadOnnxRuntime, type Ort } from "./onnx-runtime.ts";

export type Pooling = "mean" | "cls";

export interface Embedder {
  readonly dimensions: number;
  embed(texts: string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** The files of a model directory: model.onnx and vocab.txt (+ optional tokenizer and pooling configs). */
export const MODEL_FILE = "model.onnx";
export const VOCAB_FILE = "vocab.txt";

function readJson(path: string): Record<string, unknown> {
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown> : {};
}

export function poolingOf(dir: string): Pooling {
  const config = readJson(join(dir, "1_Pooling", "config.json"));
  return config.pooling_mode_cls_token === true ? "cls" : "mean";
}

export async function loadOnnxEmbedder(dir: string, dimensions: number): Promise<Embedder> {
  const ort = await loadOnnxRuntime();
  const tokenizerConfig = readJson(join(dir, "tokenizer_config.json"));
  const maxLength = Math.min(Number(tokenizerConfig.model_max_length) || 512, 512);
  const tokenizer = new WordPieceTokenizer(readFileSync(join(dir, VOCAB_FILE), "utf8"), {
    lowerCase: tokenizerConfig.do_lower_case !== false, maxLength,
  });
  const session = await ort.InferenceSession.create(join(dir, MODEL_FILE), { graphOptimizationLevel: "all" });
  const embedder = new OnnxEmbedder(ort, session, tokenizer, poolingOf(dir), dimensions);
  // Fail at load, not at the first write, when the model's width is not the configured one.
  const [probe] = await embedder.embed(["dimension check"]);
  if (probe!.length !== dimensions) {
    await embedder.close();
    throw new Error(`the model produces ${probe!.length}-dimensional vectors, EMBEDDINGS_MODELS says ${dimensions}`);
  }
  return embedder;
}

class OnnxEmbedder implements Embedder {
  constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly pooling: Pooling,
    readonly dimensions: number,
  ) {}

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    const encoded = texts.map((text) => this.tokenizer.encode(text).ids);
    const width = Math.max(...encoded.map((ids) => ids.length));
    const ids = new BigInt64Array(texts.length * width).fill(BigInt(this.tokenizer.padId));
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((row, r) => row.forEach((id, c) => {
      ids[r * width + c] = BigInt(id);
      mask[r * width + c] = 1n;
    }));
    const shape = [texts.length, width];
    const available: Record<string, Tensor> = {
      input_ids: new this.ort.Tensor("int64", ids, shape),
      attention_mask: new this.ort.Tensor("int64", mask, shape),
      token_type_ids: new this.ort.Tensor("int64", new BigInt64Array(texts.length * width), shape),
    };
    const feeds: Record<string, Tensor> = {};
    for (const name of this.session.inputNames) {
      const tensor = available[name];
      if (!tensor) throw new Error(`the model expects an input "${name}" that a BERT-style tokenizer does not produce`);
      feeds[name] = tensor;
    }
    const outputs = await this.session.run(feeds);
    const output = outputs[this.session.outputNames[0]!]!;
    return encoded.map((row, r) => normalize(this.pool(output, r, row.length, width)));
  }

  /** Token states [batch, seq, dim] → one vector; a model that already pools ([batch, dim]) is used as is. */
  private pool(output: Tensor, row: number, length: number, width: number): Float32Array {
    const data = output.data as Float32Array;
    const dim = Number(output.dims.at(-1));
    if (output.dims.length === 2) return data.slice(row * dim, (row + 1) * dim);
    const base = row * width * dim;
    if (this.pooling === "cls") return data.slice(base, base + dim);
    const sum = new Float32Array(dim);
    for (let t = 0; t < length; t++) {
      for (let d = 0; d < dim; d++) sum[d]! += data[base + t * dim + d]!;
    }
    for (let d = 0; d < dim; d++) sum[d]! /= length;
    return sum;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}
