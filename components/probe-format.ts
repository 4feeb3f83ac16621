import { PROBE_STEP_LABELS } from "@/lib/diagnosis/probe-coincidence.ts";
import { ProbeStepNameSchema } from "@/lib/probe/probe-report.ts";
import { formatCount, formatPercent } from "./format.ts";

/** `99.3 % (143 of 144 runs)`, or `no runs`. */
export function formatAvailability(availability: { runs: number; passed: number; share: number | null } | null | undefined): string {
  if (!availability || availability.share === null) return "no runs";
  return `${formatPercent(availability.share)} (${formatCount(availability.passed)} of ${formatCount(availability.runs)} runs)`;
}

/** `TLS`, `MQTT CONNECT`, or `did not finish` for a run that produced no report. */
export function formatProbeStep(step: string | null): string {
  const parsed = ProbeStepNameSchema.safeParse(step);
  return parsed.success ? PROBE_STEP_LABELS[parsed.data] : "did not finish";
}
