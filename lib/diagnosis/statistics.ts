export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median absolute deviation scaled to a standard deviation; robust against a few outliers (a restart). */
export function robustSpread(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((value) => Math.abs(value - m)));
}

export function clamp(value: number, min = 0, max = 1): number {
  return Math.min(max, Math.max(min, value));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** `60 ± 1 min`, `4 s`, `2.5 h`: a duration with its spread in one unit. */
export function formatPeriod(ms: number, spreadMs?: number): string {
  const [unit, size] = ms >= 3 * HOUR ? (["h", HOUR] as const) : ms >= 2 * MINUTE ? (["min", MINUTE] as const) : ms >= 1000 ? (["s", 1000] as const) : (["ms", 1] as const);
  const round = (value: number) => (value >= 10 || unit === "ms" ? Math.round(value) : Math.round(value * 10) / 10);
  const main = round(ms / size);
  if (spreadMs === undefined) return `${main} ${unit}`;
  return `${main} ± ${round(spreadMs / size)} ${unit}`;
}

export function minuteOf(date: Date): number {
  return Math.floor(date.getTime() / MINUTE) * MINUTE;
}

/** A timeline range around evidence: from a little before the first to a little after the last. */
export function rangeAround(first: Date, last: Date = first, padMs = 10 * MINUTE): { from: string; to: string } {
  return { from: new Date(first.getTime() - padMs).toISOString(), to: new Date(last.getTime() + padMs).toISOString() };
}
