import { HOUR_MS } from "@/lib/time/durations.ts";
/**
 * The /fleet page's state as URL search parameters (shareable; a reload restores it). Pure and browser-safe.
 * Names match the fleet APIs' query parameters so the API query is the URL's filters plus a resolved range.
 */

export const RANGE_PRESETS = {
  "1h": HOUR_MS,
  "6h": 6 * HOUR_MS,
  "24h": 24 * HOUR_MS,
  "7d": 7 * 24 * HOUR_MS,
  "14d": 14 * 24 * HOUR_MS,
  "30d": 30 * 24 * HOUR_MS,
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export const DEFAULT_PRESET: RangePreset = "24h";

export const FILTER_KEYS = ["source", "node", "firmware", "region", "network", "label"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Widest range the fleet views accept (the APIs refuse wider ones too). */
export const MAX_FLEET_RANGE_DAYS = 90;
const DAY = 24 * HOUR_MS;

export type Drill = { by: "reason" | "code"; key: string };

export type FleetViewState = {
  /** A preset follows "now"; a custom range is fixed (ISO timestamps in UTC). */
  range: { preset: RangePreset } | { from: string; to: string };
  /** Why the URL's range was not used (the view then shows this instead of its panels); null when it was. */
  rangeProblem: string | null;
  filters: Partial<Record<FilterKey, string>>;
  drill: Drill | null;
};

function isPreset(value: string | null): value is RangePreset {
  return value !== null && Object.hasOwn(RANGE_PRESETS, value);
}

const ZONED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * What people type into a URL: epoch milliseconds, an ISO timestamp with its zone, or a date (midnight) or date and
 * time without a zone, read in the viewer's time zone. Null when it is none of these or not a real calendar day.
 */
export function parseTypedTimestamp(text: string): Date | null {
  const value = text.trim();
  if (/^\d{1,15}$/.test(value)) return new Date(Number(value));
  if (ZONED_TIMESTAMP.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  const local = LOCAL_DATE_TIME.exec(value);
  if (!local) return null;
  const [year, month, day, hour, minute, second] = local.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(year, month - 1, day, hour, minute, second);
  // new Date() rolls 2026-02-31 over into March: refuse days that do not exist.
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day && hour < 24 && minute < 60 && second < 60
    ? date
    : null;
}

function quote(text: string): string {
  return `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
}

type ParsedRange = { range: FleetViewState["range"]; rangeProblem: string | null };

function parseRange(params: URLSearchParams): ParsedRange {
  const fallback = { preset: DEFAULT_PRESET };
  const preset = params.get("range");
  const fromText = params.get("from");
  const toText = params.get("to");
  if (fromText === null && toText === null) {
    if (preset === null || isPreset(preset)) return { range: { preset: preset ?? DEFAULT_PRESET }, rangeProblem: null };
    return { range: fallback, rangeProblem: `${quote(preset)} is not a range; choose one of ${Object.keys(RANGE_PRESETS).join(", ")}.` };
  }
  if (fromText === null || toText === null)
    return { range: fallback, rangeProblem: `A custom range needs both a start ("from") and an end ("to").` };
  const from = parseTypedTimestamp(fromText);
  const to = parseTypedTimestamp(toText);
  const unreadable = [from === null ? `the start ${quote(fromText)}` : null, to === null ? `the end ${quote(toText)}` : null].filter(
    Boolean,
  );
  if (from === null || to === null) {
    return {
      range: fallback,
      rangeProblem: `Could not read ${unreadable.join(" or ")} as a date or time (for example 2026-11-20, 2026-11-20T14:30 or 2026-11-20T14:30:00Z).`,
    };
  }
  if (to.getTime() <= from.getTime())
    return { range: fallback, rangeProblem: "The range ends before it starts; the end must be after the start." };
  if (to.getTime() - from.getTime() > MAX_FLEET_RANGE_DAYS * DAY) {
    return { range: fallback, rangeProblem: `The range is longer than ${MAX_FLEET_RANGE_DAYS} days, the longest the fleet views show.` };
  }
  return { range: { from: from.toISOString(), to: to.toISOString() }, rangeProblem: null };
}

export function parseFleetViewState(params: URLSearchParams): FleetViewState {
  const { range, rangeProblem } = parseRange(params);
  const filters: FleetViewState["filters"] = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value !== "") filters[key] = value;
  }
  const drillText = params.get("drill") ?? "";
  const split = drillText.indexOf(":");
  const by = drillText.slice(0, split);
  const drill = split > 0 && (by === "reason" || by === "code") ? { by, key: drillText.slice(split + 1) } : null;
  return { range, rangeProblem, filters, drill } as FleetViewState;
}

export function toSearchParams(state: FleetViewState): URLSearchParams {
  const params = new URLSearchParams();
  if ("preset" in state.range) {
    if (state.range.preset !== DEFAULT_PRESET) params.set("range", state.range.preset);
  } else {
    params.set("from", state.range.from);
    params.set("to", state.range.to);
  }
  for (const key of FILTER_KEYS) {
    const value = state.filters[key];
    if (value) params.set(key, value);
  }
  if (state.drill) params.set("drill", `${state.drill.by}:${state.drill.key}`);
  return params;
}

/** The range to ask the APIs for: a preset ends now. */
export function resolveViewRange(range: FleetViewState["range"], now: number): { from: string; to: string } {
  if ("preset" in range) return { from: new Date(now - RANGE_PRESETS[range.preset]).toISOString(), to: new Date(now).toISOString() };
  return range;
}

/** Query string for a fleet API: the resolved range, the filters and any extra parameters. */
export function toApiQuery(state: FleetViewState, now: number, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(resolveViewRange(state.range, now));
  for (const key of FILTER_KEYS) {
    const value = state.filters[key];
    if (value) params.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}
