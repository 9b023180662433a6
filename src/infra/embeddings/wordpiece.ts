/**
 * The BERT WordPiece tokenizer (what bge-small and other sentence-transformers models use):
 * basic tokenization (clean control characters, optionally lower-case and strip accents,
 * split on whitespace, punctuation and CJK characters), then greedy longest-match-first
 * word pieces from vocab.txt, continuation pieces prefixed "##". A word with no split is
 * [UNK]. Output is wrapped in [CLS] … [SEP] and cut to the model's maximum length.
 */

export interface Encoding {
  ids: number[];
}

const MAX_WORD_CHARS = 100;

function isPunctuation(char: string): boolean {
  const code = char.codePointAt(0)!;
  // ASCII symbols count as punctuation for BERT even where Unicode says otherwise ($, ^, `).
  if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126)) return true;
  return /\p{P}/u.test(char);
}

function isCjk(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x20000 && code <= 0x2a6df)
    || (code >= 0x2a700 && code <= 0x2b73f) || (code >= 0x2b740 && code <= 0x2b81f) || (code >= 0x2b820 && code <= 0x2ceaf)
    || (code >= 0xf900 && code <= 0xfaff) || (code >= 0x2f800 && code <= 0x2fa1f);
}

export class WordPieceTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly cls: number;
  private readonly sep: number;
  private readonly unk: number;

  constructor(vocabText: string, private readonly options: { lowerCase: boolean; maxLength: number }) {
    const tokens = vocabText.split(/\r?\n/);
    if (tokens.at(-1) === "") tokens.pop();
    this.vocab = new Map(tokens.map((token, id) => [token, id]));
    const special = (token: string) => {
      const id = this.vocab.get(token);
      if (id === undefined) throw new Error(`vocab.txt has no ${token} token`);
      return id;
    };
    this.cls = special("[CLS]");
    this.sep = special("[SEP]");
    this.unk = special("[UNK]");
  }

  get padId(): number {
    return this.vocab.get("[PAD]") ?? 0;
  }

  encode(text: string): Encoding {
    const ids = [this.cls];
    const room = this.options.maxLength - 1;
    for (const word of this.basicTokens(text)) {
      for (const id of this.wordPieces(word)) {
        if (ids.length >= room) break;
        ids.push(id);
      }
      if (ids.length >= room) break;
    }
    ids.push(this.sep);
    return { ids };
  }

  /** Whitespace, punctuation and CJK split; control characters dropped. */
  private basicTokens(text: string): string[] {
    let normalized = text;
    if (this.options.lowerCase) normalized = normalized.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "");
    const words: string[] = [];
    let current = "";
    const flush = () => {
      if (current) words.push(current);
      current = "";
    };
    for (const char of normalized) {
      const code = char.codePointAt(0)!;
      if (code === 0 || code === 0xfffd || (/\p{Cc}/u.test(char) && !/\s/.test(char))) continue;
      if (/\s/u.test(char)) flush();
      else if (isPunctuation(char) || isCjk(code)) {
        flush();
        words.push(char);
      } else current += char;
    }
    flush();
    return words;
  }

  private wordPieces(word: string): number[] {
    const chars = [...word];
    if (chars.length > MAX_WORD_CHARS) return [this.unk];
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? "##" : "") + chars.slice(start, end).join("");
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unk];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }
}
