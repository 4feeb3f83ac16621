import { MAX_RAW_BYTES } from "@/lib/events/connection-event.ts";

/** Raw payloads are kept for the raw-events view, but bounded; NUL cannot be stored in jsonb. */
export function boundRaw(raw: unknown, flags: string[]): { raw: string; flags: string[] } {
  const text = escapeNulForJsonb(JSON.stringify(raw ?? null));
  if (Buffer.byteLength(text, "utf8") <= MAX_RAW_BYTES) return { raw: text, flags };
  // A cut between the two halves of a surrogate pair would leave a lone surrogate, which jsonb refuses.
  const head = text.slice(0, MAX_RAW_BYTES / 2).replace(/[\uD800-\uDBFF]$/, "");
  return { raw: JSON.stringify({ truncated: true, bytes: Buffer.byteLength(text, "utf8"), head }), flags: [...flags, "raw_truncated"] };
}

/**
 * JSON text with each `\u0000` escape (a NUL, which jsonb refuses) turned into the six characters it reads as. Escapes
 * are read from the left, so the text `\\u0000` (a backslash, then `u0000`) is left as it is.
 */
function escapeNulForJsonb(json: string): string {
  return json.includes("\\u0000") ? json.replace(/\\(?:\\|u0000)/g, (escape) => (escape === "\\\\" ? escape : "\\\\u0000")) : json;
}
