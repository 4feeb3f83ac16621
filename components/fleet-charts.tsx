"use client";

import { useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  Tooltip,
  XAxis,
  YAxis,
  type MouseHandlerDataParam,
} from "recharts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { formatCount, formatDuration, formatTimestamp } from "./format.ts";
import { REASON_COLORS, REASON_LABELS } from "./reason-style.ts";
import type { FleetSeriesResponse } from "./queries/fleet.ts";

const AXIS_TICK = { fontSize: 11, fill: "#5a6270" };
const MARGIN = { top: 4, right: 8, bottom: 0, left: -12 };

/** Axis label: time of day for ranges within a day or two, date and time beyond. */
function tickFormatter(stepMs: number) {
  return (value: string) => {
    const text = formatTimestamp(value);
    return stepMs < 3_600_000 ? text.slice(11, 16) : text.slice(5, 16);
  };
}

/** Drag across a chart to zoom into that span: the selection is kept while the mouse is down. */
function useDragZoom(stepMs: number, onZoom: (from: string, to: string) => void) {
  const [selection, setSelection] = useState<{ start: string; end: string } | null>(null);
  const label = (state: MouseHandlerDataParam) => (state.activeLabel === undefined ? null : String(state.activeLabel));
  return {
    selection,
    handlers: {
      onMouseDown: (state: MouseHandlerDataParam) => {
        const at = label(state);
        if (at) setSelection({ start: at, end: at });
      },
      onMouseMove: (state: MouseHandlerDataParam) => {
        const at = label(state);
        if (at && selection) setSelection({ ...selection, end: at });
      },
      onMouseUp: () => {
        if (selection && selection.start !== selection.end) {
          const [a, b] = [new Date(selection.start).getTime(), new Date(selection.end).getTime()].sort((x, y) => x - y) as [number, number];
          onZoom(new Date(a).toISOString(), new Date(b + stepMs).toISOString());
        }
        setSelection(null);
      },
      onMouseLeave: () => setSelection(null),
    },
  };
}

export function ConnectedDevicesChart({ series, onZoom }: { series: FleetSeriesResponse; onZoom: (from: string, to: string) => void }) {
  const { selection, handlers } = useDragZoom(series.stepMs, onZoom);
  const values = series.connected.map((point) => point.connected);
  const summary =
    values.length > 0 ? `Connected devices: ${Math.min(...values)} to ${Math.max(...values)}, now ${values.at(-1)}` : "No data";
  return (
    <figure className="chart fleet-chart" style={{ margin: 0 }} aria-label={summary} data-testid="connected-chart">
      <LineChart responsive style={{ width: "100%", height: "100%" }} data={series.connected} margin={MARGIN} {...handlers}>
        <CartesianGrid stroke="#e9ecef" vertical={false} />
        <XAxis dataKey="t" tickFormatter={tickFormatter(series.stepMs)} tick={AXIS_TICK} minTickGap={28} />
        <YAxis allowDecimals={false} tick={AXIS_TICK} />
        <Tooltip
          labelFormatter={(value) => `${formatTimestamp(String(value))} + ${formatDuration(series.stepMs)}`}
          formatter={(value) => [formatCount(Number(value)), "connected at the end"]}
        />
        <Line type="stepAfter" dataKey="connected" stroke="#2f9e44" strokeWidth={2} dot={false} isAnimationActive={false} />
        {selection ? <ReferenceArea x1={selection.start} x2={selection.end} fill="rgba(26, 92, 192, 0.15)" /> : null}
      </LineChart>
    </figure>
  );
}

export function DisconnectsByReasonChart({ series, onZoom }: { series: FleetSeriesResponse; onZoom: (from: string, to: string) => void }) {
  const { selection, handlers } = useDragZoom(series.stepMs, onZoom);
  const { disconnects } = series;
  if (disconnects.total === 0) return <div className="chart-empty">No disconnects in this range.</div>;
  const summary = `${disconnects.total} disconnects: ${disconnects.reasons.map((reason) => REASON_LABELS[reason]).join(", ")}`;
  return (
    <figure className="chart fleet-chart" style={{ margin: 0 }} aria-label={summary} data-testid="disconnects-chart">
      <BarChart responsive style={{ width: "100%", height: "100%" }} data={disconnects.bars} margin={MARGIN} {...handlers}>
        <CartesianGrid stroke="#e9ecef" vertical={false} />
        <XAxis dataKey="t" tickFormatter={tickFormatter(series.stepMs)} tick={AXIS_TICK} minTickGap={28} />
        <YAxis allowDecimals={false} tick={AXIS_TICK} />
        <Tooltip
          labelFormatter={(value) => `${formatTimestamp(String(value))} + ${formatDuration(series.stepMs)}`}
          formatter={(value, name) => [formatCount(Number(value)), REASON_LABELS[name as Reason] ?? String(name)]}
          cursor={{ fill: "rgba(26, 92, 192, 0.08)" }}
        />
        <Legend
          formatter={(value: string) => <span style={{ color: "#343a40" }}>{REASON_LABELS[value as Reason] ?? value}</span>}
          wrapperStyle={{ fontSize: 12 }}
        />
        {disconnects.reasons.map((reason) => (
          <Bar key={reason} dataKey={reason} stackId="disconnects" fill={REASON_COLORS[reason]} isAnimationActive={false} />
        ))}
        {selection ? <ReferenceArea x1={selection.start} x2={selection.end} fill="rgba(26, 92, 192, 0.15)" /> : null}
      </BarChart>
    </figure>
  );
}
