"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import type { SourceHealth } from "@/lib/queries/get-ingest-health.ts";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { formatCount, formatTimestamp } from "./format.ts";

export type IngestHealthResponse = Jsonify<{ from: Date; to: Date; sources: SourceHealth[] }>;

function formatLag(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

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
  const status = <QueryStatus query={query} what="ingest health" />;
  if (data.sources.length === 0)
    return (
      <>
        {status}
        <p className="empty">No source has delivered anything in the last hour.</p>
      </>
    );
  return (
    <>
      {status}
      <div className="table-wrap">
        <table aria-label="Ingest health per source">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col" className="num">
                Events / min
              </th>
              <th scope="col">Last event</th>
              <th scope="col" className="num">
                Lag avg / max
              </th>
              <th scope="col" className="num">
                Duplicates
              </th>
              <th scope="col" className="num">
                Out of order
              </th>
              <th scope="col" className="num">
                Dead letters (open)
              </th>
            </tr>
          </thead>
          <tbody>
            {data.sources.map((s) => (
              <tr key={s.source}>
                <td className="mono">{s.source}</td>
                <td className="num">{s.eventsPerMinute.toFixed(2)}</td>
                <td>{s.lastEventAt ? formatTimestamp(s.lastEventAt) : "—"}</td>
                <td className="num">
                  {formatLag(s.lagMsAvg)} / {formatLag(s.lagMsMax)}
                </td>
                <td className="num">{formatCount(s.duplicates)}</td>
                <td className="num">{formatCount(s.outOfOrder)}</td>
                <td className="num">
                  {formatCount(s.deadLetters)} ({formatCount(s.unresolvedDeadLetters)})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
