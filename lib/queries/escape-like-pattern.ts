/** Escapes LIKE/ILIKE wildcards so a user's text matches literally (used with `ESCAPE '\'`). */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
