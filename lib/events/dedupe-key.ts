import { createHash } from "node:crypto";

/**
 * Deterministic key from a source's identity fields, so a redelivered message is stored once.
 * The parts are length-prefixed so ("ab","c") and ("a","bc") never collide.
 */
export function computeDedupeKey(source: string, parts: ReadonlyArray<string | number | bigint | null | undefined>): string {
  const hash = createHash("sha256");
  for (const part of [source, ...parts]) {
    const text = part === null || part === undefined ? "\u0000" : String(part);
    hash.update(`${text.length}:${text}|`);
  }
  return `${source}:${hash.digest("hex").slice(0, 40)}`;
}
