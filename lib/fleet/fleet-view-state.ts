/**
 * The /fleet page's state as URL search parameters (shareable; a reload restores it). Pure and browser-safe.
 * Names match the fleet APIs' query parameters so the API query is the URL's filters plus a resolved range.
 */

const HOUR = 3_600_000;
export const RANGE_PRESETS = { "1h": HOUR, "6h": 6 * HOUR, "24h": 24 * HOUR, "7d": 7 * 24 * HOUR, "14d": 14 * 24 * HOUR, "30d": 30 * 24 * HOUR } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export const DEFAULT_PRESET: RangePreset = "24h";

export const FILTER_KEYS = ["source", "node", "firmware", "region", "network", "label"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export type Drill = { by: "reason" | "code"; key: string };

export type FleetViewState = {
  /** A preset follows "now"; a custom range is fixed. */
  range: { preset: RangePreset } | { from: string; to: string };
  filters: Partial<Record<FilterKey, string>>;
  drill: Drill | null;
};

function isPreset(value: string | null): value is RangePreset {
  return value !== null && Object.hasOwn(RANGE_PRESETS, value);
}

function isTimestamp(value: string | null): value is string {
  return value !== null && value.length > 0 && !Number.isNaN(new Date(/^\d+$/.test(value) ? Number(value) : value).getTime());
}

export function parseFleetViewState(params: URLSearchParams): FleetViewState {
  const from = params.get("from");
  const to = params.get("to");
  const preset = params.get("range");
  const range = isTimestamp(from) && isTimestamp(to) ? { from, to } : { preset: isPreset(preset) ? preset : DEFAULT_PRESET };
  const filters: FleetViewState["filters"] = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value !== "") filters[key] = value;
  }
  const drillText = params.get("drill") ?? "";
  const split = drillText.indexOf(":");
  const by = drillText.slice(0, split);
  const drill = split > 0 && (by === "reason" || by === "code") ? { by, key: drillText.slice(split + 1) } : null;
  return { range, filters, drill } as FleetViewState;
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
