import { describe, expect, it } from "vitest";
import { createUtf8ChunkDecoder, encodeKeepingInvalidBytes, hasInvalidBytes, showInvalidBytes } from "./utf8-chunks.ts";

/** The mark of one byte that is not UTF-8. */
const M = (byte: number) => String.fromCharCode(0xdc00 + byte);

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
    expect(decodeIn([[0x61, 0xff, 0x62]])).toBe(`a${M(0xff)}b`);
    expect(decodeIn([[0x80], [0x61]])).toBe(`${M(0x80)}a`);
    expect(decodeIn([[0xc0, 0xaf]])).toBe(`${M(0xc0)}${M(0xaf)}`);
    expect(decodeIn([[0xed, 0xa0, 0x80]])).toBe(`${M(0xed)}${M(0xa0)}${M(0x80)}`);
    expect(decodeIn([[0xf4, 0x90, 0x80, 0x80]])).toBe(`${M(0xf4)}${M(0x90)}${M(0x80)}${M(0x80)}`);
    expect(decodeIn([[0x61, 0xe2, 0x82]])).toBe(`a${M(0xe2)}${M(0x82)}`);
    expect(decodeIn([[0xe2, 0x82], [0x22]])).toBe(`${M(0xe2)}${M(0x82)}"`);
  });

  it("gives back the bytes as sent, and tells marks from text that holds U+FFFD or characters beyond U+FFFF", () => {
    const sent = Buffer.concat([Buffer.from('{"id":"dév😀\uFFFD𐂀'), Buffer.from([0xff, 0xc3, 0x80, 0xe2, 0x82]), Buffer.from('"}')]);
    for (let cut = 0; cut <= sent.length; cut++) {
      const text = decodeIn([[...sent.subarray(0, cut)], [...sent.subarray(cut)]]);
      expect(hasInvalidBytes(text)).toBe(true);
      expect(encodeKeepingInvalidBytes(text).equals(sent)).toBe(true);
      expect(showInvalidBytes(text)).toBe('{"id":"dév😀\uFFFD𐂀\uFFFDÀ\uFFFD\uFFFD"}');
    }
    // U+10080 is the pair D800 DC80: its low half is not a mark.
    const clean = decodeIn([[...Buffer.from("a𐂀\uFFFD")]]);
    expect(hasInvalidBytes(clean)).toBe(false);
    expect(encodeKeepingInvalidBytes(clean).toString("utf8")).toBe("a𐂀\uFFFD");
  });
});
