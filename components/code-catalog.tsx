"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { filterCodeRows, type CodeRow } from "@/lib/knowledge/filter-code-rows.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { formatCount } from "./format.ts";
import { clampPage } from "./pager.tsx";
import { useUrlState } from "./use-url-state.ts";

const PAGE_SIZE = 30;

// `codes-table` lays the columns out fixed, so these widths hold whatever the meaning's length.
const CODE_COLUMNS: DataTableColumn<CodeRow>[] = [
  {
    header: "Code",
    width: "30%",
    cell: (row) => (
      <>
        <Link href={`/codes/${encodeURIComponent(row.code)}`}>
          <code>{row.code}</code>
        </Link>
        <div className="codes-name">{row.name}</div>
      </>
    ),
  },
  { header: "Meaning", cell: (row) => row.meaning },
  { header: "Canonical reason", width: "17%", cell: (row) => <code>{row.reason}</code> },
  { header: "Fleet, 14 d", numeric: true, width: "110px", cell: (row) => formatCount(row.fleetCount) },
];

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
      <DataTable
        label="Codes"
        className="codes-table"
        columns={CODE_COLUMNS}
        rows={shown}
        rowKey={(row) => row.code}
        emptyText="No code matches. Try part of the code (404104), a word of its meaning (keepalive) or another platform."
        pager={{ page: shownPage, pageSize: PAGE_SIZE, total: matches.length, onPage: setPage, label: "Code pages" }}
      />
    </div>
  );
}
