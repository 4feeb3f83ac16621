"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import type { SourceHealth } from "@/lib/queries/get-ingest-health.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { formatCount, formatTimestamp } from "./format.ts";

export type IngestHealthResponse = Jsonify<{ from: Date; to: Date; sources: SourceHealth[] }>;

function formatLag(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

type SourceRow = IngestHealthResponse["sources"][number];

const SOURCE_COLUMNS: DataTableColumn<SourceRow>[] = [
  { header: "Source", className: "mono", cell: (s) => s.source },
  { header: "Events / min", numeric: true, cell: (s) => s.eventsPerMinute.toFixed(2) },
  { header: "Last event", cell: (s) => (s.lastEventAt ? formatTimestamp(s.lastEventAt) : "—") },
  { header: "Lag avg / max", numeric: true, cell: (s) => `${formatLag(s.lagMsAvg)} / ${formatLag(s.lagMsMax)}` },
  { header: "Duplicates", numeric: true, cell: (s) => formatCount(s.duplicates) },
  { header: "Out of order", numeric: true, cell: (s) => formatCount(s.outOfOrder) },
  {
    header: "Dead letters (open)",
    numeric: true,
    cell: (s) => `${formatCount(s.deadLetters)} (${formatCount(s.unresolvedDeadLetters)})`,
  },
];

/** Per-source ingest figures for the last hour, refreshed every 5 s. */
export function IngestHealthPanel({ initialData }: { initialData: IngestHealthResponse }) {
  const query = useQuery({
    queryKey: ["ingest-health", 60],
    queryFn: ({ signal }) => fetchJson<IngestHealthResponse>("/api/v1/ingest-health?minutes=60", signal),
    initialData,
    refetchInterval: 30_000,
    meta: liveFleetMeta,
  });
  const { data } = query;
  return (
    <>
      <QueryStatus query={query} what="ingest health" />
      <DataTable
        label="Ingest health per source"
        columns={SOURCE_COLUMNS}
        rows={data.sources}
        rowKey={(source) => source.source}
        emptyText="No source has delivered anything in the last hour."
      />
    </>
  );
}
