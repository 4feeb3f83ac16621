/**
 * A rule's minute rollups in memory: drops / code events per minute, or the connected gauge's per-minute deltas
 * (plus the sum of deltas before the loaded range). Prefix sums make any window sum two binary searches, so the
 * preview can replay 30 days of evaluation ticks from one query.
 */
export type RuleSeries = {
  /** Minute bucket starts (ms), ascending, with the running total through each (the initial value included). */
  minutes: number[];
  totals: number[];
  initial: number;
  /** The first minute the rule's scope had a connected device (the fleet's history starts there); null: never. */
  historyStart: number | null;
  /** Usual rates by hour start, computed once per hour when a replay asks for every tick of it. */
  baselineByHour: Map<number, { usualPerMinute: number | null; days: number }>;
};

export function createRuleSeries(
  rows: { bucket: number; value: number }[],
  options: { initial?: number; historyStart?: number | null } = {},
): RuleSeries {
  const initial = options.initial ?? 0;
  const sorted = [...rows].sort((a, b) => a.bucket - b.bucket);
  let total = initial;
  const totals = sorted.map((row) => (total += row.value));
  return {
    minutes: sorted.map((row) => row.bucket),
    totals,
    initial,
    historyStart: options.historyStart ?? null,
    baselineByHour: new Map(),
  };
}

/** The initial value plus every bucket that starts before `t`. */
export function sumBefore(series: RuleSeries, t: number): number {
  let low = 0;
  let high = series.minutes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((series.minutes[middle] ?? Infinity) < t) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? series.initial : (series.totals[low - 1] ?? series.initial);
}

/** Counts in the buckets that start in [from, to). */
export function sumBuckets(series: RuleSeries, from: number, to: number): number {
  return to <= from ? 0 : sumBefore(series, to) - sumBefore(series, from);
}

/** The gauge at instant t: every delta whose bucket starts at or before t (minute resolution, as countConnectedDevicesAt). */
export function gaugeAt(series: RuleSeries, t: number): number {
  return sumBefore(series, t + 1);
}
