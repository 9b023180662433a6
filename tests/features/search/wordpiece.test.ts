/** The BERT WordPiece tokenizer, on a hand-made vocab and on the fixture model's vocab.txt. */
import { describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WordPieceTokenizer } from "../../../src/infra/embeddings/wordpiece.ts";
import { FIXTURE_CACHE_DIR } from "./seed.ts";

const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "runn", "##ing", ",", "!", "cafe", "a", "##b"];
const tokens = (tokenizer: WordPieceTokenizer, text: string) => tokenizer.encode(text).ids.map((id) => VOCAB[id]);

describe("WordPieceTokenizer", () => {
  const tokenizer = new WordPieceTokenizer(`${VOCAB.join("\n")}\n`, { lowerCase: true, maxLength: 512 });

  it("splits words greedily into the longest pieces (the BERT paper's example)", () => {
    expect(tokens(tokenizer, "unaffable")).toEqual(["[CLS]", "un", "##aff", "##able", "[SEP]"]);
    expect(tokens(tokenizer, "UNAFFABLE running")).toEqual(["[CLS]", "un", "##aff", "##able", "runn", "##ing", "[SEP]"]);
  });

  it("splits punctuation off, lower-cases and strips accents", () => {
    expect(tokens(tokenizer, "Café,running!")).toEqual(["[CLS]", "cafe", ",", "runn", "##ing", "!", "[SEP]"]);
  });

  it("a word with no complete split is one [UNK]; CJK characters stand alone", () => {
    expect(tokens(tokenizer, "unx ab 日本")).toEqual(["[CLS]", "[UNK]", "a", "##b", "[UNK]", "[UNK]", "[SEP]"]);
  });

  it("cuts to the maximum length, keeping [CLS] and [SEP]", () => {
    const short = new WordPieceTokenizer(VOCAB.join("\n"), { lowerCase: true, maxLength: 5 });
    expect(tokens(short, "unaffable running cafe")).toEqual(["[CLS]", "un", "##aff", "##able", "[SEP]"]);
  });

  it("needs the special tokens", () => {
    expect(() => new WordPieceTokenizer("a\nb\n", { lowerCase: true, maxLength: 8 })).toThrow("[CLS]");
  });

  it("reads the fixture model's vocab.txt (one token per line, ids by line number)", () => {
    const text = readFileSync(join(FIXTURE_CACHE_DIR, "imbi--fixture-mini", "vocab.txt"), "utf8");
    const lines = text.trimEnd().split("\n");
    const fixture = new WordPieceTokenizer(text, { lowerCase: true, maxLength: 512 });
    expect(fixture.encode("Payments refunded!").ids.map((id) => lines[id])).toEqual(["[CLS]", "payments", "refund", "##ed", "!", "[SEP]"]);
  });
});

describe("the fixture model", () => {
  it("is what scripts/generate-embedding-fixture.ts writes (reproducible, not hand-edited)", () => {
    const out = mkdtempSync(join(tmpdir(), "imbi-fixture-"));
    const run = Bun.spawnSync([process.execPath, join(import.meta.dir, "../../../scripts/generate-embedding-fixture.ts"), "--out", out]);
    expect(run.exitCode).toBe(0);
    for (const file of ["model.onnx", "vocab.txt", "tokenizer_config.json"]) {
      expect(Buffer.from(readFileSync(join(out, file))).equals(readFileSync(join(FIXTURE_CACHE_DIR, "imbi--fixture-mini", file)))).toBe(true);
    }
  });
});
