import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/lib/db/client.ts";
import { CodeSearchSchema } from "@/lib/knowledge/code-params.ts";
import { KNOWLEDGE_ENTRIES, searchKnowledge } from "@/lib/knowledge/knowledge-base.ts";
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
  const entries = searchKnowledge(search);
  const now = new Date();
  const counts = await listCodeCounts(getDb(), { from: new Date(now.getTime() - CODE_TREND_WINDOW_MS), to: now });

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Codes</h1>
          <p className="muted">
            Every disconnect, refusal and error code Linkscope knows ({formatCount(KNOWLEDGE_ENTRIES.length)} across {VENDORS.length} platforms), with what it means and
            how to resolve it.
          </p>
        </div>
      </div>
      <form className="toolbar codes-search" method="get" action="/codes" role="search">
        <label className="visually-hidden" htmlFor="code-query">
          Search codes
        </label>
        <input id="code-query" name="query" type="search" className="search" placeholder="404104, keepalive, taken over…" defaultValue={search.query ?? ""} />
        <label className="visually-hidden" htmlFor="code-vendor">
          Platform
        </label>
        <select id="code-vendor" name="vendor" defaultValue={search.vendor ?? ""}>
          <option value="">All platforms</option>
          {VENDORS.map((vendor) => (
            <option key={vendor} value={vendor}>
              {vendor}
            </option>
          ))}
        </select>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {parsed.success ? null : <p className="notice">The search was not understood; showing every code.</p>}
      <div className="panel">
        <p className="muted" data-testid="code-count">
          {formatCount(entries.length)} codes
        </p>
        <div className="table-wrap">
          <table aria-label="Codes">
            <thead>
              <tr>
                <th>Code</th>
                <th>Name</th>
                <th>Meaning</th>
                <th>Canonical reason</th>
                <th className="num">Fleet, 14 d</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.code}>
                  <td className="nowrap">
                    <Link href={`/codes/${encodeURIComponent(entry.code)}`}>
                      <code>{entry.code}</code>
                    </Link>
                  </td>
                  <td>{entry.name}</td>
                  <td className="message">{entry.meaning}</td>
                  <td>
                    <code>{entry.reason}</code>
                  </td>
                  <td className="num">{formatCount(counts.get(entry.code) ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
