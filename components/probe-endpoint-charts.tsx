"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { PROBE_STEP_LABELS } from "@/lib/diagnosis/probe-coincidence.ts";
import type { ProbeStepName } from "@/lib/probe/probe-report.ts";
import { listChartedSteps, type TimelinePoint } from "@/lib/probe-schedule/shape-probe-timeline.ts";
import { formatHourMinute, formatTimestamp } from "./format.ts";

const AXIS_TICK = { fontSize: 11, fill: "#5a6270" };
const STEP_COLORS: Record<ProbeStepName, string> = {
  dns: "#6f42c1",
  tcp: "#1a5cc0",
  tls: "#0f8a5f",
  mqtt_connect: "#c77700",
  ping: "#b02a37",
  pubsub: "#3d8bfd",
  idle: "#5a6270",
};

const tickFor = (spanMs: number) => (value: number) =>
  spanMs > 86_400_000 ? new Date(value).toISOString().slice(5, 10) : formatHourMinute(value);

/** Share of passing runs per bucket; buckets without runs stay empty. */
export function ProbeAvailabilityChart({ points, spanMs }: { points: TimelinePoint[]; spanMs: number }) {
  const data = points.map((point) => {
    const passing = point.availability === null ? null : Math.round(point.availability * 1000) / 10;
    return { at: point.at, passing, failing: passing === null ? null : Math.round((100 - passing) * 10) / 10 };
  });
  if (points.every((point) => point.runs === 0)) return <div className="chart-empty">No runs in this range yet.</div>;
  return (
    <figure className="chart" style={{ margin: 0 }} aria-label="Availability per interval: share of passing probe runs">
      <BarChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
        <CartesianGrid stroke="#e9ecef" vertical={false} />
        <XAxis
          dataKey="at"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          tickFormatter={tickFor(spanMs)}
          tick={AXIS_TICK}
          minTickGap={24}
        />
        <YAxis domain={[0, 100]} unit="%" tick={AXIS_TICK} />
        <Tooltip
          labelFormatter={(value) => formatTimestamp(Number(value))}
          formatter={(value, name) => [`${String(value)} %`, name === "failing" ? "failing runs" : "passing runs"]}
        />
        <Bar dataKey="passing" stackId="runs" isAnimationActive={false} fill="#0f8a5f" />
        <Bar dataKey="failing" stackId="runs" isAnimationActive={false} fill="#b02a37" />
      </BarChart>
    </figure>
  );
}

/** Mean duration of each passed step per bucket, one line per step. */
export function ProbeStepLatencyChart({ points, spanMs }: { points: TimelinePoint[]; spanMs: number }) {
  const steps = listChartedSteps(points);
  if (steps.length === 0) return <div className="chart-empty">No passed step to time in this range.</div>;
  return (
    <figure
      className="chart"
      style={{ margin: 0 }}
      aria-label={`Step latencies: ${steps.map((step) => PROBE_STEP_LABELS[step]).join(", ")}`}
    >
      <LineChart responsive style={{ width: "100%", height: "100%" }} data={points} margin={{ top: 4, right: 8, bottom: 0, left: -4 }}>
        <CartesianGrid stroke="#e9ecef" vertical={false} />
        <XAxis
          dataKey="at"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          tickFormatter={tickFor(spanMs)}
          tick={AXIS_TICK}
          minTickGap={24}
        />
        <YAxis unit=" ms" tick={AXIS_TICK} />
        <Tooltip
          labelFormatter={(value) => formatTimestamp(Number(value))}
          formatter={(value, name) => [`${String(value)} ms`, PROBE_STEP_LABELS[name as ProbeStepName] ?? String(name)]}
        />
        <Legend formatter={(value: string) => PROBE_STEP_LABELS[value as ProbeStepName] ?? value} />
        {steps.map((step) => (
          <Line
            key={step}
            type="monotone"
            dataKey={step}
            stroke={STEP_COLORS[step]}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}
