import { isUtf8 } from "node:buffer";

/**
 * Each byte that is not UTF-8 is decoded to the lone low surrogate U+DC00 + byte (Python's "surrogateescape"): well-formed
 * UTF-8 never decodes to a lone surrogate, so the mark cannot be confused with anything the file holds (a U+FFFD the file
 * itself holds stays text), and the original bytes can be written back (`encodeKeepingInvalidBytes`).
 */
const INVALID_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const INVALID_BYTES = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/**
 * Decodes a byte stream chunk by chunk (a character may span two chunks); a byte that is not UTF-8 becomes its mark.
 * `decode(null)` ends the stream: bytes still waiting for the rest of their character are not UTF-8.
 */
export function createUtf8ChunkDecoder(): { decode(chunk: Buffer | null): string } {
  let carry: Buffer = Buffer.alloc(0);
  return {
    decode(chunk) {
      const bytes = chunk === null ? carry : carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const complete = chunk === null ? bytes.length : completeLength(bytes);
      carry = Buffer.from(bytes.subarray(complete));
      const body = bytes.subarray(0, complete);
      return isUtf8(body) ? body.toString("utf8") : decodeMarkingInvalidBytes(body);
    },
  };
}

/** Whether decoded text holds a byte that was not UTF-8. */
export function hasInvalidBytes(text: string): boolean {
  return INVALID_BYTE.test(text);
}

/** The bytes the text was decoded from: its characters as UTF-8, each mark as the byte it stands for. */
export function encodeKeepingInvalidBytes(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (const match of text.matchAll(INVALID_BYTES)) {
    parts.push(Buffer.from(text.slice(start, match.index), "utf8"), Buffer.of(match[0].charCodeAt(0) - 0xdc00));
    start = match.index + 1;
  }
  parts.push(Buffer.from(text.slice(start), "utf8"));
  return Buffer.concat(parts);
}

/** The text for a reader: each byte that was not UTF-8 shown as U+FFFD. */
export function showInvalidBytes(text: string): string {
  return text.replace(INVALID_BYTES, "\uFFFD");
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

function decodeMarkingInvalidBytes(bytes: Buffer): string {
  let text = "";
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.subarray(start, i).toString("utf8") + String.fromCharCode(0xdc00 + (bytes[i] as number));
    i += 1;
    start = i;
  }
  return text + bytes.subarray(start).toString("utf8");
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
