/** One code as the /codes list shows it; `searchText` holds everything a search may match, lower-cased. */
export type CodeRow = {
  code: string;
  vendor: string;
  name: string;
  meaning: string;
  reason: string;
  fleetCount: number;
  searchText: string;
};

/**
 * The /codes filter, in the browser: every word must appear (code, vendor, name, meaning, reason or root causes);
 * codes that contain the whole query come first, as in searchKnowledge (lib/knowledge/knowledge-base.ts).
 */
export function filterCodeRows(
  rows: readonly CodeRow[],
  { query = "", vendor = "", seenOnly = false }: { query?: string; vendor?: string; seenOnly?: boolean },
): CodeRow[] {
  const needle = query.trim().toLowerCase();
  const terms = needle.split(/\s+/).filter(Boolean);
  const matches = rows.filter(
    (row) =>
      (!vendor || row.vendor === vendor) && (!seenOnly || row.fleetCount > 0) && terms.every((term) => row.searchText.includes(term)),
  );
  if (!needle) return matches;
  const ownCode = (row: CodeRow) => (row.code.toLowerCase().includes(needle) ? 0 : 1);
  return matches
    .map((row, index) => ({ row, index }))
    .sort((a, b) => ownCode(a.row) - ownCode(b.row) || a.index - b.index)
    .map(({ row }) => row);
}
