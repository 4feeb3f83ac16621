import { lookupVendorCode, UNKNOWN_MAPPING } from "@/lib/sources/vendor-codes.ts";
import { buildEntries } from "./playbook.ts";
import type { EntryRow, KnowledgeEntry, KnowledgeRow, Vendor } from "./types.ts";

/**
 * The entries of one vendor table. Knowledge rows hold meaning, causes and steps only; reason and initiator come
 * from the code table (lib/sources/vendor-codes.ts), their one owner, so a code page, a finding and a stored event
 * can never disagree. A row the code table lacks reads as `unknown` (the knowledge-base test fails on it).
 */
export function buildKnowledgeEntries(vendor: Vendor, source: string, rows: readonly KnowledgeRow[]): KnowledgeEntry[] {
  return buildEntries(
    vendor,
    source,
    rows.map((row) => withCanonicalMapping(vendor, row)),
  );
}

function withCanonicalMapping(vendor: Vendor, row: KnowledgeRow): EntryRow {
  const mapping = lookupVendorCode(`${vendor}:${row.key}`) ?? UNKNOWN_MAPPING;
  return { ...row, reason: mapping.reason, initiator: mapping.initiator };
}
