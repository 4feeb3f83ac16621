import { z } from "zod";

// Whitespace, control and format characters (zero-width space, bidi controls, soft hyphen) and lone combining marks
// draw nothing: a name made only of them is as empty as "" in every list it appears in.
const VISIBLE_CHARACTER = /[^\s\p{Cc}\p{Cf}\p{Z}\p{M}]/u;

export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE_CHARACTER.test(text);
}

/** A required one-line text people read back (a name, a title, a reason): trimmed, and empty when nothing shows. */
export function requiredTextSchema(maxLength: number, emptyMessage = "must not be empty") {
  return z.string().trim().min(1, emptyMessage).max(maxLength).refine(hasVisibleCharacter, emptyMessage);
}
