"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { VitalsSeries } from "@/lib/device-evidence/shape-vitals-series.ts";
import { formatHourMinute, formatTimestamp } from "./format.ts";

const LABELS: Record<string, string> = {
  rssiDbm: "Signal (dBm)",
  linkQualityPct: "Link quality (%)",
  batteryPct: "Battery (%)",
  publishedPerMinute: "Published / min",
};
const TICK = { fontSize: 11, fill: "#5a6270" };

function describe(series: VitalsSeries): string {
  const rssi = series.points.map((point) => point.rssiDbm).filter((value): value is number => value !== null);
  const parts = [`${series.points.length} points`];
  if (rssi.length > 0) parts.push(`signal from ${Math.min(...rssi)} to ${Math.max(...rssi)} dBm`);
  return `Device signal and vitals: ${parts.join(", ")}.`;
}

/** Signal, link quality and battery over time, with the publish rate below; the device's own readings. */
export function DeviceVitalsChart({ series }: { series: VitalsSeries }) {
  const { points, has } = series;
  return (
    <div className="device-vitals-charts">
      {has.rssi || has.linkQuality || has.battery ? (
        <figure className="chart device-vitals-chart" aria-label={describe(series)}>
          <LineChart responsive style={{ width: "100%", height: "100%" }} data={points} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid stroke="#e9ecef" vertical={false} />
            <XAxis
              dataKey="at"
              tickFormatter={(value: string) => formatHourMinute(value)}
              tick={TICK}
              interval="preserveStartEnd"
              minTickGap={24}
            />
            {has.rssi ? <YAxis yAxisId="dbm" domain={["auto", "auto"]} tick={TICK} unit=" dBm" width={72} /> : null}
            {has.linkQuality || has.battery ? (
              <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} tick={TICK} unit="%" width={44} />
            ) : null}
            <Tooltip
              labelFormatter={(value) => formatTimestamp(String(value))}
              formatter={(value, name) => [String(value), LABELS[String(name)] ?? String(name)]}
            />
            <Legend formatter={(value: string) => LABELS[value] ?? value} wrapperStyle={{ fontSize: 12 }} />
            {has.rssi ? <Line yAxisId="dbm" dataKey="rssiDbm" stroke="#1a5cc0" dot={false} connectNulls isAnimationActive={false} /> : null}
            {has.linkQuality ? (
              <Line yAxisId="pct" dataKey="linkQualityPct" stroke="#7b4fc9" dot={false} connectNulls isAnimationActive={false} />
            ) : null}
            {has.battery ? (
              <Line yAxisId="pct" dataKey="batteryPct" stroke="#2f8f4e" dot={false} connectNulls isAnimationActive={false} />
            ) : null}
          </LineChart>
        </figure>
      ) : null}
      {has.publishRate ? (
        <figure className="chart device-vitals-chart device-vitals-rate" aria-label="Messages the device published per minute">
          <LineChart responsive style={{ width: "100%", height: "100%" }} data={points} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid stroke="#e9ecef" vertical={false} />
            <XAxis
              dataKey="at"
              tickFormatter={(value: string) => formatHourMinute(value)}
              tick={TICK}
              interval="preserveStartEnd"
              minTickGap={24}
            />
            <YAxis tick={TICK} width={72} />
            <Tooltip
              labelFormatter={(value) => formatTimestamp(String(value))}
              formatter={(value, name) => [String(value), LABELS[String(name)] ?? String(name)]}
            />
            <Legend formatter={(value: string) => LABELS[value] ?? value} wrapperStyle={{ fontSize: 12 }} />
            <Line dataKey="publishedPerMinute" stroke="#c0631a" dot={false} connectNulls isAnimationActive={false} />
          </LineChart>
        </figure>
      ) : null}
    </div>
  );
}
