"use client";

import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import type { HourlyDisconnectSeries } from "@/lib/queries/shape-hourly-disconnects.ts";
import { liveFleetMeta } from "@/lib/live/live-query-selection.ts";
import { fetchJson } from "./fetch-json.ts";
import { QueryStatus } from "./query-status.tsx";
import { FLEET_REFRESH_MS } from "./refresh-settings.ts";
import { formatCount, formatHourMinute } from "./format.ts";
import { REASON_COLORS, REASON_LABELS } from "./reason-style.ts";

export type HourlyDisconnectsResponse = Jsonify<HourlyDisconnectSeries & { from: Date; to: Date }>;

function describeSeries(series: HourlyDisconnectsResponse): string {
  if (series.total === 0) return "No disconnects in the last 24 hours.";
  const parts = series.reasons.map((reason) => {
    const count = series.bars.reduce((sum, bar) => sum + (bar[reason] ?? 0), 0);
    return `${REASON_LABELS[reason]} ${count}`;
  });
  return `${series.total} disconnects in the last 24 hours: ${parts.join(", ")}.`;
}

/** Disconnects per hour over the last 24 h, stacked by canonical reason (from the minute rollups). */
export function HourlyDisconnectsChart({ initialData }: { initialData: HourlyDisconnectsResponse }) {
  const query = useQuery({
    queryKey: ["fleet-hourly-disconnects", "24h"],
    queryFn: ({ signal }) => fetchJson<HourlyDisconnectsResponse>("/api/v1/fleet/hourly-disconnects", signal),
    initialData,
    refetchInterval: FLEET_REFRESH_MS,
    meta: liveFleetMeta,
  });
  const { data } = query;
  const status = <QueryStatus query={query} what="chart" />;

  if (data.total === 0) {
    return (
      <>
        {status}
        <div className="chart-empty">No disconnects in the last 24 hours.</div>
      </>
    );
  }
  return (
    <>
      {status}
      <figure className="chart" style={{ margin: 0 }} aria-label={describeSeries(data)}>
        <BarChart responsive style={{ width: "100%", height: "100%" }} data={data.bars} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid stroke="#e9ecef" vertical={false} />
          <XAxis
            dataKey="hour"
            tickFormatter={(value: string) => formatHourMinute(value)}
            tick={{ fontSize: 11, fill: "#5a6270" }}
            interval="preserveStartEnd"
            minTickGap={18}
          />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#5a6270" }} />
          <Tooltip
            labelFormatter={(value) => `${formatHourMinute(String(value))} UTC hour`}
            formatter={(value, name) => [formatCount(Number(value)), REASON_LABELS[name as Reason] ?? String(name)]}
            cursor={{ fill: "rgba(26, 92, 192, 0.08)" }}
          />
          <Legend
            formatter={(value: string) => <span style={{ color: "#343a40" }}>{REASON_LABELS[value as Reason] ?? value}</span>}
            wrapperStyle={{ fontSize: 12 }}
          />
          {data.reasons.map((reason) => (
            <Bar key={reason} dataKey={reason} stackId="disconnects" fill={REASON_COLORS[reason]} isAnimationActive={false} />
          ))}
        </BarChart>
      </figure>
    </>
  );
}
