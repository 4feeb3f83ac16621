import { TimestampParamSchema } from "@/lib/validation/query-schemas.ts";
import { DEFAULT_SPAN_MS, MAX_SPAN_MS, type RangeMode } from "./device-range.ts";

export type ResolvedRange = { mode: RangeMode; notice: string | null };

function parseTimestamp(value: string | string[] | undefined): Date | null | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === "") return undefined;
  const parsed = TimestampParamSchema.safeParse(text);
  return parsed.success ? parsed.data : null;
}

/** Pure: URL search params → range mode, falling back to the last 24 h with a notice on bad input. */
export function resolveDeviceRange(searchParams: Record<string, string | string[] | undefined>, now: Date): ResolvedRange {
  const fallback: ResolvedRange = { mode: { kind: "rolling", spanMs: DEFAULT_SPAN_MS }, notice: null };
  const from = parseTimestamp(searchParams.from);
  const to = parseTimestamp(searchParams.to);
  if (from === null || to === null) {
    return { ...fallback, notice: "The time range in the address was not understood; showing the last 24 hours." };
  }
  if (from === undefined && to === undefined) return fallback;
  const fromMs = from?.getTime() ?? (to ? to.getTime() - DEFAULT_SPAN_MS : now.getTime() - DEFAULT_SPAN_MS);
  const toMs = to?.getTime() ?? null;
  if ((toMs ?? now.getTime()) <= fromMs) {
    return { ...fallback, notice: "The range ends before it starts; showing the last 24 hours." };
  }
  if ((toMs ?? now.getTime()) - fromMs > MAX_SPAN_MS) {
    return { ...fallback, notice: "Ranges longer than 92 days are not supported; showing the last 24 hours." };
  }
  return { mode: toMs === null ? { kind: "since", fromMs } : { kind: "fixed", fromMs, toMs }, notice: null };
}
