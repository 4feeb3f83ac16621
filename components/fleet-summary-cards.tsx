"use client";

import { useQuery } from "@tanstack/react-query";
import type { Jsonify } from "@/lib/http/json.ts";
import type { FleetSummary } from "@/lib/queries/get-fleet-summary.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { formatCount, formatPercent } from "./format.ts";
import { FLEET_REFRESH_MS } from "./refresh-settings.ts";

/** Headline numbers for the last 24 h; refreshed every few seconds. */
export function FleetSummaryCards({ initialData }: { initialData: Jsonify<FleetSummary> }) {
  const query = useQuery({
    queryKey: ["fleet-summary", "24h"],
    queryFn: ({ signal }) => fetchJson<Jsonify<FleetSummary>>("/api/v1/fleet/summary", signal),
    initialData,
    refetchInterval: FLEET_REFRESH_MS,
    meta: liveFleetMeta,
  });
  const { data } = query;
  const status = <QueryStatus query={query} what="fleet summary" />;
  const onlineRatio = data.devicesTotal > 0 ? data.devicesOnline / data.devicesTotal : null;
  return (
    <section className="cards" aria-label="Fleet summary, last 24 hours">
      {status}
      <div className="card">
        <div className="card-label">Online now</div>
        <div className="card-value" data-testid="devices-online">
          {formatCount(data.devicesOnline)} <small>/ {formatCount(data.devicesTotal)}</small>
        </div>
        <div className="card-note">{formatPercent(onlineRatio)} of known devices</div>
      </div>
      <div className="card">
        <div className="card-label">Disconnects · 24 h</div>
        <div className="card-value">{formatCount(data.disconnects)}</div>
        <div className="card-note">all reasons, including clean ones</div>
      </div>
      <div className="card">
        <div className="card-label">Connects · 24 h</div>
        <div className="card-value">{formatCount(data.connects)}</div>
        <div className="card-note">successful sessions opened</div>
      </div>
      <div className={`card${data.failedConnects > 0 ? " card-alert" : ""}`}>
        <div className="card-label">Failed connects · 24 h</div>
        <div className="card-value">{formatCount(data.failedConnects)}</div>
        <div className="card-note">refused CONNACKs, auth failures</div>
      </div>
      <div className={`card${data.deadLetters > 0 ? " card-alert" : ""}`}>
        <div className="card-label">Dead letters · 24 h</div>
        <div className="card-value">{formatCount(data.deadLetters)}</div>
        <div className="card-note">inputs ingest could not read</div>
      </div>
    </section>
  );
}
