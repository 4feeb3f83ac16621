"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { filterCodeRows, type CodeRow } from "@/lib/knowledge/filter-code-rows.ts";
import { formatCount } from "./format.ts";
import { clampPage, Pager } from "./pager.tsx";
import { useUrlState } from "./use-url-state.ts";

const PAGE_SIZE = 30;

type CodeSearch = { query: string; vendor: string };

function parseCodeSearch(params: URLSearchParams): CodeSearch {
  return { query: params.get("query") ?? "", vendor: params.get("vendor") ?? "" };
}

function serializeCodeSearch(search: CodeSearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.query) params.set("query", search.query);
  if (search.vendor) params.set("vendor", search.vendor);
  return params;
}

/**
 * Every known code, filtered as you type (code, vendor, name, meaning, reason), thirty at a time. The form still
 * works without script: it submits the same query to the server, which renders the filtered list.
 */
export function CodeCatalog({
  rows,
  vendors,
  initialQuery,
  initialVendor,
}: {
  rows: readonly CodeRow[];
  vendors: readonly string[];
  initialQuery: string;
  initialVendor: string;
}) {
  // The inputs keep their own state (typing never waits on the router); the address follows them.
  const [, setUrlSearch] = useUrlState(parseCodeSearch, serializeCodeSearch);
  const [query, setQuery] = useState(initialQuery);
  const [vendor, setVendor] = useState(initialVendor);
  const [seenOnly, setSeenOnly] = useState(false);
  const [page, setPage] = useState(0);
  const matches = useMemo(() => filterCodeRows(rows, { query, vendor, seenOnly }), [rows, query, vendor, seenOnly]);
  const shownPage = clampPage(page, matches.length, PAGE_SIZE);
  const shown = matches.slice(shownPage * PAGE_SIZE, (shownPage + 1) * PAGE_SIZE);

  function update(next: { query?: string; vendor?: string; seenOnly?: boolean }) {
    const nextQuery = next.query ?? query;
    const nextVendor = next.vendor ?? vendor;
    setQuery(nextQuery);
    setVendor(nextVendor);
    if (next.seenOnly !== undefined) setSeenOnly(next.seenOnly);
    setPage(0);
    setUrlSearch({ query: nextQuery.trim(), vendor: nextVendor });
  }

  return (
    <div className="panel">
      <form className="codes-search" method="get" action="/codes" role="search" onSubmit={(event) => event.preventDefault()}>
        <label className="codes-field codes-query">
          <span>Search codes</span>
          <input
            name="query"
            type="search"
            placeholder="404104, keepalive, taken over…"
            value={query}
            maxLength={200}
            onChange={(event) => update({ query: event.target.value })}
          />
        </label>
        <label className="codes-field">
          <span>Platform</span>
          <select name="vendor" value={vendor} onChange={(event) => update({ vendor: event.target.value })}>
            <option value="">All platforms</option>
            {vendors.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-check codes-seen">
          <input type="checkbox" checked={seenOnly} onChange={(event) => update({ seenOnly: event.target.checked })} /> Seen in the fleet
          (14 d)
        </label>
      </form>
      <p className="muted codes-count" data-testid="code-count" aria-live="polite">
        {formatCount(matches.length)} {matches.length === 1 ? "code" : "codes"}
        {matches.length < rows.length ? ` of ${formatCount(rows.length)}` : ""}
      </p>
      {matches.length === 0 ? (
        <p className="empty">No code matches. Try part of the code (404104), a word of its meaning (keepalive) or another platform.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Codes" className="codes-table">
            <colgroup>
              <col className="codes-col-code" />
              <col />
              <col className="codes-col-reason" />
              <col className="codes-col-count" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Meaning</th>
                <th scope="col">Canonical reason</th>
                <th scope="col" className="num">
                  Fleet, 14 d
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.code}>
                  <td>
                    <Link href={`/codes/${encodeURIComponent(row.code)}`}>
                      <code>{row.code}</code>
                    </Link>
                    <div className="codes-name">{row.name}</div>
                  </td>
                  <td>{row.meaning}</td>
                  <td>
                    <code>{row.reason}</code>
                  </td>
                  <td className="num">{formatCount(row.fleetCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={shownPage} pageSize={PAGE_SIZE} total={matches.length} onPage={setPage} label="Code pages" />
    </div>
  );
}
