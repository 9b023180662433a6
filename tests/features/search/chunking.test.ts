/** Markdown chunking at headings, as the reference chunks descriptions and contents. */
import { describe, expect, it } from "bun:test";
import { chunkField, chunkMarkdown } from "../../../src/features/search/chunking.ts";

describe("chunkMarkdown", () => {
  it("splits at every heading level, each chunk keeping its heading", () => {
    expect(chunkMarkdown("Intro line.\n\n# One\nalpha\n## Two\nbeta\n\n###### Six\ngamma")).toEqual([
      "Intro line.", "# One\nalpha", "## Two\nbeta", "###### Six\ngamma",
    ]);
  });

  it("has no size cap: a long section stays one chunk", () => {
    const long = `# Big\n${"word ".repeat(2000).trim()}`;
    expect(chunkMarkdown(long)).toEqual([long]);
  });

  it("ignores '#' that is not a heading: inside fenced code, without a space, indented code", () => {
    const text = "# Real\n```sh\n# a shell comment\n```\n#hashtag\n    # indented code\n~~~\n## fenced too\n~~~";
    expect(chunkMarkdown(text)).toEqual([text]);
  });

  it("drops blank chunks and handles CRLF", () => {
    expect(chunkMarkdown("\r\n# A\r\ntext\r\n# B\r\n   \r\n")).toEqual(["# A\ntext", "# B"]);
    expect(chunkMarkdown("  \n\n ")).toEqual([]);
  });
});

describe("chunkField", () => {
  it("keeps a plain field whole and trims it; null and blank give no chunks", () => {
    expect(chunkField("  Payments Gateway # not a heading  ", false)).toEqual(["Payments Gateway # not a heading"]);
    expect(chunkField(null, true)).toEqual([]);
    expect(chunkField("   ", false)).toEqual([]);
  });
});
