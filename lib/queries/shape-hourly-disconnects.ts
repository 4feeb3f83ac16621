import type { Reason } from "@/lib/events/connection-event.ts";
import { shapeDisconnectSeries } from "@/lib/fleet/shape-fleet-series.ts";
import { HOUR_MS } from "@/lib/time/durations.ts";

/** One bar per hour: `hour` (ISO, UTC hour start), `total`, and a count per reason present in the range. */
export type HourlyDisconnectBar = { hour: string; total: number } & Partial<Record<Reason, number>>;

export type HourlyDisconnectSeries = {
  bars: HourlyDisconnectBar[];
  /** Reasons that occur in the range, most frequent first (stack and legend order). */
  reasons: Reason[];
  total: number;
};

/**
 * Pure: turns (hour, reason, count) rows into one bar per UTC hour covering [from, to), filling hours
 * without disconnects with zeros so the x axis is continuous. Accepts Date or ISO string hours
 * (server rows or API JSON). The fleet page's series with a one-hour step, keyed `hour`.
 */
export function shapeHourlyDisconnects(
  rows: ReadonlyArray<{ hour: Date | string; reason: Reason; count: number }>,
  range: { from: Date; to: Date },
): HourlyDisconnectSeries {
  const series = shapeDisconnectSeries(
    rows.map((row) => ({ t: row.hour, reason: row.reason, count: row.count })),
    range,
    HOUR_MS,
  );
  return { ...series, bars: series.bars.map(({ t, ...bar }) => ({ hour: t, ...bar })) };
}
