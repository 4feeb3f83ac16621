import { MINUTE_MS } from "@/lib/time/durations.ts";

/** Chart steps, smallest first; every one divides a day, so bins line up with UTC days and hours. */
export const INTERVAL_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((minutes) => minutes * MINUTE_MS);

/** Most points a fleet chart draws. */
export const MAX_CHART_POINTS = 200;

/** Pure: the smallest step that covers [from, to) in at most `maxPoints` bins (the largest step beyond that). */
export function chooseInterval(range: { from: Date; to: Date }, maxPoints = MAX_CHART_POINTS): number {
  const span = range.to.getTime() - range.from.getTime();
  for (const step of INTERVAL_STEPS_MS) {
    if (binStarts(range, step).length <= maxPoints) return step;
  }
  return Math.ceil(span / maxPoints / MINUTE_MS) * MINUTE_MS;
}

/** Pure: bin starts (multiples of `stepMs` since the epoch) of every bin that overlaps [from, to). */
export function binStarts(range: { from: Date; to: Date }, stepMs: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(range.from.getTime() / stepMs) * stepMs; t < range.to.getTime(); t += stepMs) starts.push(t);
  return starts;
}

export function binOf(at: Date | string | number, stepMs: number): number {
  return Math.floor(new Date(at).getTime() / stepMs) * stepMs;
}

/** The equal-length period just before [from, to), for "change vs previous period". */
export function previousPeriod(range: { from: Date; to: Date }): { from: Date; to: Date } {
  const span = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - span), to: range.from };
}
