/**
 * A `.env` parser with the usual rules: `KEY=value`, optional `export `, `#` comments,
 * single quotes literal, double quotes with \n \t \" \\ escapes, unquoted values trimmed
 * and cut at ` #`. Returns the pairs and the lines it could not read (1-based).
 */
export interface DotenvResult {
  values: Record<string, string>;
  badLines: number[];
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/;

function unquote(raw: string): string | undefined {
  const value = raw.trim();
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return end === -1 ? undefined : value.slice(1, end);
  }
  if (value.startsWith('"')) {
    let out = "";
    for (let i = 1; i < value.length; i++) {
      const ch = value[i]!;
      if (ch === '"') return out;
      if (ch === "\\" && i + 1 < value.length) {
        const next = value[++i]!;
        out += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
      } else {
        out += ch;
      }
    }
    return undefined;
  }
  return value.replace(/\s+#.*$/, "").trim();
}

export function parseDotenv(text: string): DotenvResult {
  const values: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*(#|$)/.test(line)) return;
    const match = LINE.exec(line);
    const value = match ? unquote(match[2]!) : undefined;
    if (!match || value === undefined) badLines.push(index + 1);
    else values[match[1]!] = value;
  });
  return { values, badLines };
}
