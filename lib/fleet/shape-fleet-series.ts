import type { Reason } from "@/lib/events/connection-event.ts";
import { binOf, binStarts } from "./fleet-interval.ts";

type Range = { from: Date; to: Date };

export type ConnectedPoint = { t: string; connected: number };

/** One bar per bin: `t` (ISO bin start), `total`, and a count per reason present in the range. */
export type DisconnectBar = { t: string; total: number } & Partial<Record<Reason, number>>;
export type DisconnectSeries = { bars: DisconnectBar[]; reasons: Reason[]; total: number };

/** Pure: (bin, reason, count) rows → one bar per bin over the range, zeros filled, reasons most frequent first. */
export function shapeDisconnectSeries(
  rows: ReadonlyArray<{ t: Date | string; reason: Reason; count: number }>,
  range: Range,
  stepMs: number,
): DisconnectSeries {
  const byBin = new Map<number, DisconnectBar>();
  const bars = binStarts(range, stepMs).map((start) => {
    const bar: DisconnectBar = { t: new Date(start).toISOString(), total: 0 };
    byBin.set(start, bar);
    return bar;
  });
  const totals = new Map<Reason, number>();
  for (const row of rows) {
    const bar = byBin.get(binOf(row.t, stepMs));
    if (!bar || row.count <= 0) continue;
    bar[row.reason] = (bar[row.reason] ?? 0) + row.count;
    bar.total += row.count;
    totals.set(row.reason, (totals.get(row.reason) ?? 0) + row.count);
  }
  const reasons = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason]) => reason);
  for (const bar of bars) for (const reason of reasons) bar[reason] ??= 0;
  return { bars, reasons, total: [...totals.values()].reduce((sum, count) => sum + count, 0) };
}

export type Change = { previous: number; delta: number; /** null when the previous period had none. */ ratio: number | null };

/** Pure: change of `current` against the previous equal period. */
export function computeChange(current: number, previous: number): Change {
  return { previous, delta: current - previous, ratio: previous > 0 ? (current - previous) / previous : null };
}

export type BreakdownTrendRow = {
  key: string;
  /** Bin start for rows in the range; null for the previous period's total. */
  t: Date | string | null;
  disconnects: number;
  failedConnects: number;
};

export type BreakdownTrendItem = {
  /** The reason or vendor code; null for events that carried no code. */
  key: string | null;
  disconnects: number;
  failedConnects: number;
  total: number;
  /** Of all disconnects and failed connects in the range (0..1). */
  share: number;
  change: Change;
  /** Totals per sparkline bin over the range. */
  sparkline: number[];
};

/** Pure: breakdown rows (in-range per bin, and previous-period totals) → items in the range, largest first. */
export function shapeBreakdown(rows: ReadonlyArray<BreakdownTrendRow>, range: Range, sparkStepMs: number): BreakdownTrendItem[] {
  const starts = binStarts(range, sparkStepMs);
  const index = new Map(starts.map((start, i) => [start, i]));
  const items = new Map<string, BreakdownTrendItem>();
  const itemOf = (key: string) => {
    let item = items.get(key);
    if (!item) {
      item = {
        key: key === "" ? null : key,
        disconnects: 0,
        failedConnects: 0,
        total: 0,
        share: 0,
        change: computeChange(0, 0),
        sparkline: starts.map(() => 0),
      };
      items.set(key, item);
    }
    return item;
  };
  const previous = new Map<string, number>();
  for (const row of rows) {
    const item = itemOf(row.key);
    if (row.t === null) {
      previous.set(row.key, (previous.get(row.key) ?? 0) + row.disconnects + row.failedConnects);
      continue;
    }
    item.disconnects += row.disconnects;
    item.failedConnects += row.failedConnects;
    item.total += row.disconnects + row.failedConnects;
    const i = index.get(binOf(row.t, sparkStepMs));
    if (i !== undefined) item.sparkline[i] = (item.sparkline[i] ?? 0) + row.disconnects + row.failedConnects;
  }
  const grandTotal = [...items.values()].reduce((sum, item) => sum + item.total, 0);
  for (const [key, item] of items) {
    item.share = grandTotal > 0 ? item.total / grandTotal : 0;
    item.change = computeChange(item.total, previous.get(key) ?? 0);
  }
  return [...items.values()]
    .filter((item) => item.total > 0)
    .sort((a, b) => b.total - a.total || b.change.previous - a.change.previous || (a.key ?? "").localeCompare(b.key ?? ""));
}
