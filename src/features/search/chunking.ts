/**
 * Chunking as the reference does it (reference-domain §16.5): a markdown field is split at
 * every heading, each chunk keeping its heading line, with no size cap; a plain field is one
 * chunk. Lines inside fenced code blocks are never headings. Blank chunks are dropped, so an
 * emptied field has no chunks (and loses the ones it had).
 */

const HEADING = /^ {0,3}#{1,6}(\s|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function chunkMarkdown(text: string): string[] {
  const chunks: string[][] = [[]];
  let fence: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const marker = FENCE.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker[0]!;
      else if (marker[0] === fence) fence = null;
    } else if (fence === null && HEADING.test(line)) {
      chunks.push([]);
    }
    chunks.at(-1)!.push(line);
  }
  return chunks.map((lines) => lines.join("\n").trim()).filter((chunk) => chunk.length > 0);
}

export function chunkField(text: string | null, markdown: boolean): string[] {
  if (text === null) return [];
  if (markdown) return chunkMarkdown(text);
  const whole = text.trim();
  return whole ? [whole] : [];
}
