import { sumBuckets, type RuleSeries } from "./rule-series.ts";

export const BASELINE_DAYS = 7;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type TimeRange = { from: number; to: number };

/** What a baseline rule compares with at one instant; `usualPerMinute` null: no history at this hour yet. */
export type BaselineReading = { usualPerMinute: number | null; days: number };

export function hourStart(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** The same UTC hour on each of the previous 7 days, most recent first. */
export function baselineSlots(t: number): TimeRange[] {
  const hour = hourStart(t);
  return Array.from({ length: BASELINE_DAYS }, (_, i) => ({ from: hour - (i + 1) * DAY_MS, to: hour - (i + 1) * DAY_MS + HOUR_MS }));
}

/**
 * The usual rate per minute at t: the mean over the previous 7 days' same hour, counting only the days whose hour
 * lies entirely after the scope's history started (a day before the fleet existed is not a quiet day). No such
 * day: no baseline.
 */
export function readBaseline(series: RuleSeries, t: number): BaselineReading {
  const hour = hourStart(t);
  const cached = series.baselineByHour.get(hour);
  if (cached) return cached;
  const historyStart = series.historyStart;
  const slots = historyStart === null ? [] : baselineSlots(t).filter((slot) => slot.from >= historyStart);
  const events = slots.reduce((sum, slot) => sum + sumBuckets(series, slot.from, slot.to), 0);
  const reading = { usualPerMinute: slots.length === 0 ? null : roundRate(events / (slots.length * 60)), days: slots.length };
  series.baselineByHour.set(hour, reading);
  return reading;
}

/** K × the usual rate, never below the floor; no baseline yet: nothing can exceed it, so the rule does not fire. */
export function baselineThreshold(reading: BaselineReading, multiplier: number, floor: number): number {
  if (reading.usualPerMinute === null) return Infinity;
  return roundRate(Math.max(floor, multiplier * reading.usualPerMinute));
}

/** Rates are shown and compared with two decimals, so a threshold and a value that print alike compare alike. */
export function roundRate(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The buckets a baseline rule evaluated at every instant of [from, to] reads: the 7 same-hour slots of each hour. */
export function baselineRanges(from: number, to: number): TimeRange[] {
  return Array.from({ length: BASELINE_DAYS }, (_, i) => ({
    from: hourStart(from) - (i + 1) * DAY_MS,
    to: hourStart(to) + HOUR_MS - (i + 1) * DAY_MS,
  }));
}

/** Sorted, overlapping or touching ranges joined, so the query reads each bucket once. */
export function mergeRanges(ranges: TimeRange[]): TimeRange[] {
  const merged: TimeRange[] = [];
  for (const range of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return merged;
}
