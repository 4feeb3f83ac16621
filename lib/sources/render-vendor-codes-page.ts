import { VENDOR_CODE_GROUPS } from "./vendor-codes.ts";

/** The generated reference page `docs/vendor-codes.md`, one table per namespace. */
export function renderVendorCodesPage(): string {
  const lines = [
    "# Vendor codes and their canonical reasons",
    "",
    "Generated from `lib/sources/vendor-codes.ts` by `npm run docs:codes`; do not edit by hand. Every event keeps",
    "the vendor code verbatim in `code`; this table gives the canonical `reason` and `initiator` it maps to. A code",
    "that is not listed is still stored and maps to `unknown`, unless its text states rate limiting (`throttled` or",
    "`quota_exceeded`; lib/sources/rate-limit-reasons.ts). The knowledge base behind `/codes` and diagnosis findings",
    "takes reason and initiator from this same table; it adds only meaning, causes and steps.",
    "",
    "`initiator` is the side that ended or refused the connection: a broker refusing a CONNECT or cutting a client",
    "for a protocol violation is `server` (the reason names the client's fault); `network` is a failed path.",
    "",
  ];
  for (const group of VENDOR_CODE_GROUPS) {
    lines.push(`## \`${group.namespace}:\` ${group.title}`, "", "| code | reason | initiator | meaning |", "|---|---|---|---|");
    for (const [code, reason, initiator, meaning] of group.rows)
      lines.push(`| \`${code}\` | ${reason} | ${initiator} | ${meaning.replaceAll("|", "\\|")} |`);
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
