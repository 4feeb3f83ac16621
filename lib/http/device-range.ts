export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const DEFAULT_SPAN_MS = DAY_MS;
export const MAX_SPAN_MS = 92 * DAY_MS;

export const RANGE_PRESETS = [
  { label: "1h", spanMs: HOUR_MS },
  { label: "6h", spanMs: 6 * HOUR_MS },
  { label: "24h", spanMs: DAY_MS },
  { label: "7d", spanMs: 7 * DAY_MS },
  { label: "14d", spanMs: 14 * DAY_MS },
] as const;

/**
 * What the device page shows, from its `?from=&to=` URL state:
 * - rolling: no params, the last 24 h up to now (refreshing);
 * - since: only `from`, from then up to now (refreshing);
 * - fixed: both (or only `to`), a fixed window.
 */
export type RangeMode =
  { kind: "rolling"; spanMs: number } | { kind: "since"; fromMs: number } | { kind: "fixed"; fromMs: number; toMs: number };

export function computeWindow(mode: RangeMode, nowMs: number): { from: Date; to: Date } {
  switch (mode.kind) {
    case "rolling":
      return { from: new Date(nowMs - mode.spanMs), to: new Date(nowMs) };
    case "since":
      return { from: new Date(mode.fromMs), to: new Date(Math.max(nowMs, mode.fromMs + 1)) };
    case "fixed":
      return { from: new Date(mode.fromMs), to: new Date(mode.toMs) };
  }
}

export function isLive(mode: RangeMode, nowMs: number): boolean {
  return mode.kind !== "fixed" || mode.toMs > nowMs;
}

export function describeMode(mode: RangeMode): string {
  switch (mode.kind) {
    case "rolling":
      return `rolling-${mode.spanMs}`;
    case "since":
      return `since-${mode.fromMs}`;
    case "fixed":
      return `fixed-${mode.fromMs}-${mode.toMs}`;
  }
}
