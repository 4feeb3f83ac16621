import { hash } from "node:crypto";

/**
 * Deterministic key from a source's identity fields, so a redelivered message is stored once.
 * The parts are length-prefixed so ("ab","c") and ("a","bc") never collide.
 */
export function computeDedupeKey(source: string, parts: ReadonlyArray<string | number | bigint | null | undefined>): string {
  // One string and one hash call: hashing each part with its own `update` cost about as much as the rest of parsing
  // an event. The digest is the same (dedupe-key.test.ts pins keys already stored).
  let input = lengthPrefixed(source);
  for (const part of parts) input += lengthPrefixed(part);
  return `${source}:${hash("sha256", input, "hex").slice(0, 40)}`;
}

function lengthPrefixed(part: string | number | bigint | null | undefined): string {
  const text = part === null || part === undefined ? "\u0000" : String(part);
  return `${text.length}:${text}|`;
}
