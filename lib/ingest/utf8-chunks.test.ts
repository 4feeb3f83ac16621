import { describe, expect, it } from "vitest";
import { createUtf8ChunkDecoder, NOT_UTF8_MARK } from "./utf8-chunks.ts";

const M = NOT_UTF8_MARK;

function decodeIn(chunks: number[][]): string {
  const decoder = createUtf8ChunkDecoder();
  return chunks.map((chunk) => decoder.decode(Buffer.from(chunk))).join("") + decoder.decode(null);
}

describe("createUtf8ChunkDecoder", () => {
  it("joins characters split between chunks and keeps a U+FFFD the text holds", () => {
    const text = "dév😀\uFFFD";
    const bytes = [...Buffer.from(text)];
    for (let cut = 0; cut <= bytes.length; cut++) expect(decodeIn([bytes.slice(0, cut), bytes.slice(cut)])).toBe(text);
  });

  it("marks each byte that is not UTF-8: stray continuation, overlong, surrogate, past U+10FFFF, cut at the end", () => {
    expect(decodeIn([[0x61, 0xff, 0x62]])).toBe(`a${M}b`);
    expect(decodeIn([[0x80], [0x61]])).toBe(`${M}a`);
    expect(decodeIn([[0xc0, 0xaf]])).toBe(`${M}${M}`);
    expect(decodeIn([[0xed, 0xa0, 0x80]])).toBe(`${M}${M}${M}`);
    expect(decodeIn([[0xf4, 0x90, 0x80, 0x80]])).toBe(`${M}${M}${M}${M}`);
    expect(decodeIn([[0x61, 0xe2, 0x82]])).toBe(`a${M}${M}`);
    expect(decodeIn([[0xe2, 0x82], [0x22]])).toBe(`${M}${M}"`);
  });
});
