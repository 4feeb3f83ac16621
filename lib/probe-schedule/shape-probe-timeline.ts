import { PROBE_STEP_NAMES, type ProbeStepName } from "@/lib/probe/probe-report.ts";

export type TimelineRange = "24h" | "7d";
export const TIMELINE_RANGES: Record<TimelineRange, { spanMs: number; bucketMs: number; label: string }> = {
  "24h": { spanMs: 86_400_000, bucketMs: 10 * 60_000, label: "24 h" },
  "7d": { spanMs: 7 * 86_400_000, bucketMs: 60 * 60_000, label: "7 d" },
};

export type AvailabilityRow = { bucket: Date; runs: number; passed: number };
export type StepLatencyRow = { bucket: Date; step: string; ms: number };

/** One chart point per bucket: passing share (null without runs) and the mean duration of each passed step. */
export type TimelinePoint = { at: number; runs: number; passed: number; availability: number | null } & Partial<
  Record<ProbeStepName, number>
>;

export function bucketStart(at: Date, bucketMs: number): number {
  return Math.floor(at.getTime() / bucketMs) * bucketMs;
}

/** Pure: every bucket of [from, to) once, empty ones included, so a gap in the runs shows as a gap in the chart. */
export function shapeProbeTimeline(input: {
  from: Date;
  to: Date;
  bucketMs: number;
  availability: readonly AvailabilityRow[];
  latencies: readonly StepLatencyRow[];
}): TimelinePoint[] {
  const points = new Map<number, TimelinePoint>();
  for (let at = bucketStart(input.from, input.bucketMs); at < input.to.getTime(); at += input.bucketMs)
    points.set(at, { at, runs: 0, passed: 0, availability: null });
  for (const row of input.availability) {
    const point = points.get(bucketStart(row.bucket, input.bucketMs));
    if (!point) continue;
    point.runs += row.runs;
    point.passed += row.passed;
    point.availability = point.runs > 0 ? point.passed / point.runs : null;
  }
  const steps = new Set<string>(PROBE_STEP_NAMES);
  for (const row of input.latencies) {
    const point = points.get(bucketStart(row.bucket, input.bucketMs));
    if (point && steps.has(row.step)) point[row.step as ProbeStepName] = Math.round(row.ms * 10) / 10;
  }
  return [...points.values()];
}

/** The steps that have a latency somewhere in the series, in probe order (the chart draws one line each). */
export function listChartedSteps(points: readonly TimelinePoint[]): ProbeStepName[] {
  return PROBE_STEP_NAMES.filter((step) => points.some((point) => point[step] !== undefined));
}
