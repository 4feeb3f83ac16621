"use client";

import { Bar, BarChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { RecoveryCurve } from "@/lib/incidents/shape-recovery-curve.ts";
import { formatCount, formatDuration } from "./format.ts";
import { REASON_COLORS, REASON_LABELS } from "./reason-style.ts";

const AXIS_TICK = { fontSize: 11, fill: "#5a6270" };

/** Drops per canonical reason across the incident's devices. */
export function IncidentReasonsChart({ reasons }: { reasons: { reason: Reason; drops: number }[] }) {
  if (reasons.length === 0) return <div className="chart-empty">No drops recorded.</div>;
  const label = reasons.map((r) => `${REASON_LABELS[r.reason]} ${r.drops}`).join(", ");
  return (
    <figure className="chart" style={{ margin: 0 }} aria-label={`Drops by reason: ${label}`}>
      <BarChart
        responsive
        style={{ width: "100%", height: "100%" }}
        data={reasons.map((r) => ({ ...r, label: REASON_LABELS[r.reason] }))}
        margin={{ top: 4, right: 8, bottom: 0, left: -12 }}
      >
        <CartesianGrid stroke="#e9ecef" vertical={false} />
        <XAxis dataKey="label" tick={AXIS_TICK} />
        <YAxis allowDecimals={false} tick={AXIS_TICK} />
        <Tooltip formatter={(value) => [formatCount(Number(value)), "drops"]} />
        <Bar dataKey="drops" isAnimationActive={false} fill={REASON_COLORS[reasons[0]?.reason ?? "unknown"]} />
      </BarChart>
    </figure>
  );
}

/** Devices back online over time after the start. */
export function IncidentRecoveryChart({ curve }: { curve: RecoveryCurve }) {
  if (curve.points.length === 0) return <div className="chart-empty">No affected device has reconnected yet.</div>;
  return (
    <figure className="chart" style={{ margin: 0 }} aria-label={`${curve.reconnected} of ${curve.affected} devices reconnected`}>
      <LineChart
        responsive
        style={{ width: "100%", height: "100%" }}
        data={curve.points}
        margin={{ top: 4, right: 8, bottom: 0, left: -12 }}
      >
        <CartesianGrid stroke="#e9ecef" vertical={false} />
        <XAxis dataKey="offsetMs" tickFormatter={(value: number) => `+${formatDuration(value)}`} tick={AXIS_TICK} minTickGap={24} />
        <YAxis allowDecimals={false} domain={[0, curve.affected]} tick={AXIS_TICK} />
        <Tooltip
          labelFormatter={(value) => `+${formatDuration(Number(value))} after the start`}
          formatter={(value) => [formatCount(Number(value)), "reconnected"]}
        />
        <Line type="stepAfter" dataKey="reconnected" stroke="#1a5cc0" dot={false} isAnimationActive={false} />
      </LineChart>
    </figure>
  );
}
