import type { Reason } from "@/lib/events/connection-event.ts";

const HOUR_MS = 60 * 60 * 1000;

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
 * (server rows or API JSON).
 */
export function shapeHourlyDisconnects(
  rows: ReadonlyArray<{ hour: Date | string; reason: Reason; count: number }>,
  range: { from: Date; to: Date },
): HourlyDisconnectSeries {
  const firstHour = Math.floor(range.from.getTime() / HOUR_MS) * HOUR_MS;
  const bars: HourlyDisconnectBar[] = [];
  const byHour = new Map<number, HourlyDisconnectBar>();
  for (let hour = firstHour; hour < range.to.getTime(); hour += HOUR_MS) {
    const bar: HourlyDisconnectBar = { hour: new Date(hour).toISOString(), total: 0 };
    bars.push(bar);
    byHour.set(hour, bar);
  }

  const totals = new Map<Reason, number>();
  for (const row of rows) {
    const hour = Math.floor(new Date(row.hour).getTime() / HOUR_MS) * HOUR_MS;
    const bar = byHour.get(hour);
    if (!bar || row.count <= 0) continue;
    bar[row.reason] = (bar[row.reason] ?? 0) + row.count;
    bar.total += row.count;
    totals.set(row.reason, (totals.get(row.reason) ?? 0) + row.count);
  }

  const reasons = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason]) => reason);
  for (const bar of bars) for (const reason of reasons) bar[reason] ??= 0;
  return { bars, reasons, total: [...totals.values()].reduce((sum, count) => sum + count, 0) };
}
