import { isUtf8 } from "node:buffer";

/**
 * Stands in for each byte that is not UTF-8: a noncharacter (reserved by Unicode for internal use), so a reader can
 * tell it from a U+FFFD the file itself holds.
 */
export const NOT_UTF8_MARK = "\uFDD0";
const MARK_BYTES = Buffer.from(NOT_UTF8_MARK, "utf8");

/**
 * Decodes a byte stream chunk by chunk (a character may span two chunks); a byte that is not UTF-8 becomes
 * NOT_UTF8_MARK. `decode(null)` ends the stream: bytes still waiting for the rest of their character are not UTF-8.
 */
export function createUtf8ChunkDecoder(): { decode(chunk: Buffer | null): string } {
  let carry: Buffer = Buffer.alloc(0);
  return {
    decode(chunk) {
      const bytes = chunk === null ? carry : carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const complete = chunk === null ? bytes.length : completeLength(bytes);
      carry = Buffer.from(bytes.subarray(complete));
      const body = bytes.subarray(0, complete);
      return (isUtf8(body) ? body : markInvalidBytes(body)).toString("utf8");
    },
  };
}

/** Where the last character that may still continue in the next chunk starts (the end when none does). */
function completeLength(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const byte = bytes[i] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + length > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

/** The bytes with each one that does not begin a well-formed UTF-8 sequence replaced by the mark. */
function markInvalidBytes(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    parts.push(bytes.subarray(start, i), MARK_BYTES);
    i += 1;
    start = i;
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

/** The length of the well-formed sequence at `i` (Unicode table 3-7), or 0. */
function wellFormedLength(bytes: Buffer, i: number): number {
  const lead = bytes[i] as number;
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  const second = bytes[i + 1] as number;
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  for (let k = 2; k < length; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return 0;
  return length;
}
