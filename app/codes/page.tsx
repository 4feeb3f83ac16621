import type { Metadata } from "next";
import { CodeCatalog } from "@/components/code-catalog.tsx";
import type { CodeRow } from "@/lib/knowledge/filter-code-rows.ts";
import { getReadDb } from "@/lib/db/read-replica.ts";
import { CodeSearchSchema } from "@/lib/knowledge/code-params.ts";
import { KNOWLEDGE_ENTRIES } from "@/lib/knowledge/knowledge-base.ts";
import { VENDORS } from "@/lib/knowledge/types.ts";
import { CODE_TREND_WINDOW_MS } from "@/lib/queries/get-code-details.ts";
import { listCodeCounts } from "@/lib/queries/list-code-counts.ts";
import { formatCount } from "@/components/format.ts";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";

export const metadata: Metadata = { title: "Codes" };

type CodesPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function CodesPage({ searchParams }: CodesPageProps) {
  await requirePageUser();
  const raw = await searchParams;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;
  const parsed = CodeSearchSchema.safeParse({ query: first(raw.query), vendor: first(raw.vendor) });
  const search = parsed.success ? parsed.data : {};
  const now = new Date();
  const counts = await listCodeCounts(await getReadDb(), { from: new Date(now.getTime() - CODE_TREND_WINDOW_MS), to: now });
  // Filtered in the browser; the query in the address (or a form sent without script) is the starting filter.
  const rows: CodeRow[] = KNOWLEDGE_ENTRIES.map((entry) => ({
    code: entry.code,
    vendor: entry.vendor,
    name: entry.name,
    meaning: entry.meaning,
    reason: entry.reason,
    fleetCount: counts.get(entry.code) ?? 0,
    searchText: [entry.code, entry.vendor, entry.name, entry.meaning, entry.reason, ...entry.rootCauses].join(" ").toLowerCase(),
  }));

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Codes</h1>
          <p className="muted">
            Every disconnect, refusal and error code Linkscope knows ({formatCount(KNOWLEDGE_ENTRIES.length)} across {VENDORS.length}{" "}
            platforms), with what it means and how to resolve it.
          </p>
        </div>
      </div>
      {parsed.success ? null : <p className="notice">The search was not understood; showing every code.</p>}
      <CodeCatalog rows={rows} vendors={VENDORS} initialQuery={search.query ?? ""} initialVendor={search.vendor ?? ""} />
    </>
  );
}
