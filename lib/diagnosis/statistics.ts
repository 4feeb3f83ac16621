import { floorToMinute, MINUTE_MS } from "@/lib/time/durations.ts";
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The value below which `q` of the values lie (nearest rank); NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** Median absolute deviation scaled to a standard deviation; robust against a few outliers (a restart). */
export function robustSpread(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((value) => Math.abs(value - m)));
}

export function clamp(value: number, min = 0, max = 1): number {
  return Math.min(max, Math.max(min, value));
}

const HOUR = 60 * MINUTE_MS;

/** `60 ± 1 min`, `4 s`, `2.5 h`: a duration with its spread in one unit. */
export function formatPeriod(ms: number, spreadMs?: number): string {
  const [unit, size] =
    ms >= 3 * HOUR
      ? (["h", HOUR] as const)
      : ms >= 2 * MINUTE_MS
        ? (["min", MINUTE_MS] as const)
        : ms >= 1000
          ? (["s", 1000] as const)
          : (["ms", 1] as const);
  const round = (value: number) => (value >= 10 || unit === "ms" ? Math.round(value) : Math.round(value * 10) / 10);
  const main = round(ms / size);
  if (spreadMs === undefined) return `${main} ${unit}`;
  return `${main} ± ${round(spreadMs / size)} ${unit}`;
}

export function minuteOf(date: Date): number {
  return floorToMinute(date.getTime());
}

/** A timeline range around evidence: from a little before the first to a little after the last. */
export function rangeAround(first: Date, last: Date = first, padMs = 10 * MINUTE_MS): { from: string; to: string } {
  return { from: new Date(first.getTime() - padMs).toISOString(), to: new Date(last.getTime() + padMs).toISOString() };
}

const pad = (value: number) => String(value).padStart(2, "0");

/** `2026-11-22 10:04:05 UTC`: the same text as the page's timestamps (components/format.ts formatTimestamp). */
export function formatUtc(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** Confidence as shown and as ordered: two decimals, so floating-point noise never decides a tie. */
export function roundConfidence(value: number): number {
  return Math.round(clamp(value) * 100) / 100;
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i += 1) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space (n up to tens of thousands). */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let total = 0;
  let logTerm = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log(1 - p);
  for (let i = k; i <= n; i += 1) {
    total += Math.exp(logTerm);
    // term(i+1) / term(i) = (n - i) / (i + 1) · p / (1 - p)
    logTerm += Math.log(n - i) - Math.log(i + 1) + Math.log(p) - Math.log(1 - p);
    if (logTerm < -745) break;
  }
  return Math.min(1, total);
}

/**
 * The largest chance that one exponential (random, memoryless) interval lands within ±`relativeHalfWidth` of a
 * period, over every period and every mean: the window sits where it catches the most, so the data choosing the
 * period cannot make chance look like a timer.
 */
export function maxExponentialWindowProbability(relativeHalfWidth: number): number {
  const r = Math.min(0.99, Math.max(1e-6, relativeHalfWidth));
  const x = Math.log((1 + r) / (1 - r)) / (2 * r);
  return Math.exp(-(1 - r) * x) - Math.exp(-(1 + r) * x);
}

/** The first `shown` items, then how many more: a list a sentence can hold without pretending to be complete. */
export function listFirst(items: readonly string[], shown: number): string {
  const head = items.slice(0, shown).join(", ");
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}

/** Index of the first of `sortedTimes` at or after `time` (its length when none is): a binary search. */
export function firstAtOrAfter(sortedTimes: readonly number[], time: number): number {
  let low = 0;
  let high = sortedTimes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sortedTimes[middle] ?? Infinity) < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
