/**
 * Writes the tiny embedding model the tests load (tests/fixtures/embeddings/imbi--fixture-mini):
 * a BERT-style WordPiece vocab.txt and a real ONNX graph with the inputs and output of a
 * sentence-transformers export (input_ids, attention_mask, token_type_ids → last_hidden_state,
 * 384 wide). The graph looks each token up in a word-embedding table, adds the token-type
 * embedding and zeroes padding, so mean pooling gives a bag-of-words vector. Words of one
 * topic (payments, deploys, …) share most of their direction, so texts about the same topic
 * are close even without a shared word: enough "meaning" for the tests to tell vector hits
 * from lexical ones. Deterministic: rerunning writes the same bytes.
 *
 *   bun scripts/generate-embedding-fixture.ts [--out DIR]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { encodeModel, FLOAT, INT64 } from "./onnx-writer.ts";

const DIMENSIONS = 384;
const { values } = parseArgs({ args: Bun.argv.slice(2), options: { out: { type: "string" } } });
const dir = values.out ? resolve(values.out) : join(import.meta.dir, "..", "tests", "fixtures", "embeddings", "imbi--fixture-mini");

const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const PUNCTUATION = [..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"];
const LETTERS = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
const TOPICS: Record<string, string[]> = {
  payments: ["payment", "payments", "billing", "invoice", "invoices", "checkout", "money", "card", "charge", "refund"],
  deploys: ["deploy", "deployment", "release", "rollout", "ship", "production", "staging", "environment"],
  people: ["team", "teams", "engineer", "engineers", "owner", "people", "staff", "member"],
  documents: ["document", "documentation", "guide", "runbook", "manual", "notes", "handbook", "readme"],
  data: ["database", "postgres", "storage", "queue", "cache", "data", "table", "index"],
  mail: ["email", "mail", "inbox", "message", "newsletter", "smtp"],
};
const WORDS = [
  "the", "an", "and", "or", "of", "to", "in", "for", "on", "with", "is", "are", "be", "it", "this", "that", "by",
  "from", "at", "as", "how", "what", "we", "our", "new", "old", "service", "services", "api", "project", "projects",
  "web", "app", "application", "platform", "system", "server", "client", "user", "users", "search", "version", "build",
  "test", "tests", "config", "setup", "overview", "install", "usage", "about", "handles", "runs", "stores", "sends",
  "imbi", "alpha", "beta", "gamma", "delta", "frontend", "backend", "internal", "public", "monitoring", "alerts",
];
const SUFFIXES = ["##es", "##ed", "##ing", "##er", "##ers", "##ly", "##ment", "##ments", "##tion", "##ion", "##al", "##able"];

const vocab = [
  ...SPECIAL, ...PUNCTUATION, ...LETTERS, ...LETTERS.map((c) => `##${c}`), ...SUFFIXES, ...WORDS,
  ...Object.values(TOPICS).flat(),
];
const duplicates = vocab.filter((token, i) => vocab.indexOf(token) !== i);
if (duplicates.length) throw new Error(`duplicate vocab entries: ${duplicates.join(" ")}`);

/** mulberry32: a small seeded generator, so the fixture is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

const next = random(384);
const randomVector = () => Array.from({ length: DIMENSIONS }, next);
const topicOf = new Map(Object.entries(TOPICS).flatMap(([topic, words]) => words.map((w) => [w, topic] as const)));
const topicVectors = new Map(Object.keys(TOPICS).map((topic) => [topic, randomVector()]));

const table = new Float32Array(vocab.length * DIMENSIONS);
vocab.forEach((token, row) => {
  if (SPECIAL.includes(token)) return; // [CLS]/[SEP]/[PAD] add nothing to the pooled vector
  const own = randomVector();
  const topic = topicVectors.get(topicOf.get(token) ?? "");
  for (let d = 0; d < DIMENSIONS; d++) table[row * DIMENSIONS + d] = topic ? 0.85 * topic[d]! + 0.15 * own[d]! : own[d]!;
});

const model = encodeModel({
  name: "imbi-fixture-mini",
  opset: 13,
  initializers: [
    { name: "word_embeddings", dims: [vocab.length, DIMENSIONS], type: FLOAT, data: table },
    { name: "token_type_embeddings", dims: [2, DIMENSIONS], type: FLOAT, data: new Float32Array(2 * DIMENSIONS) },
    { name: "last_axis", dims: [1], type: INT64, data: BigInt64Array.from([-1n]) },
  ],
  inputs: ["input_ids", "attention_mask", "token_type_ids"].map((name) => ({ name, type: INT64, shape: ["batch", "sequence"] })),
  outputs: [{ name: "last_hidden_state", type: FLOAT, shape: ["batch", "sequence", DIMENSIONS] }],
  nodes: [
    { op: "Gather", inputs: ["word_embeddings", "input_ids"], outputs: ["words"], ints: { axis: 0 } },
    { op: "Gather", inputs: ["token_type_embeddings", "token_type_ids"], outputs: ["types"], ints: { axis: 0 } },
    { op: "Add", inputs: ["words", "types"], outputs: ["summed"] },
    { op: "Cast", inputs: ["attention_mask"], outputs: ["mask"], ints: { to: FLOAT } },
    { op: "Unsqueeze", inputs: ["mask", "last_axis"], outputs: ["mask3"] },
    { op: "Mul", inputs: ["summed", "mask3"], outputs: ["last_hidden_state"] },
  ],
});

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "model.onnx"), model);
writeFileSync(join(dir, "vocab.txt"), `${vocab.join("\n")}\n`);
writeFileSync(join(dir, "tokenizer_config.json"), `${JSON.stringify({ do_lower_case: true, model_max_length: 512 }, null, 2)}\n`);
console.log(`wrote ${dir}: ${vocab.length} tokens × ${DIMENSIONS}, model.onnx ${model.length} bytes`);
