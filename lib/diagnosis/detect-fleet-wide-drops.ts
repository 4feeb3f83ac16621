import type { AnalysisContext } from "./analysis-context.ts";
import { describeFailedRun, describePassingRuns, runsAround, type ProbeRunEvidence } from "./probe-coincidence.ts";
import { clamp, minuteOf, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding, FleetContext } from "./types.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

/** A minute counts as fleet-wide when at least this share of the fleet (and at least FLEET_WIDE_MIN_DROPS other devices) dropped around it. */
export const FLEET_WIDE_SHARE = 0.2;
export const FLEET_WIDE_MIN_DROPS = 5;

export function fleetWideThreshold(devicesTotal: number): number {
  return Math.max(FLEET_WIDE_MIN_DROPS, Math.ceil(devicesTotal * FLEET_WIDE_SHARE));
}

/**
 * Pure: which of the device's drops fell in a minute when many other devices dropped too (within a minute of it,
 * as the loader counts them). Counting devices rather than drops keeps one storming device from making a minute
 * look fleet-wide. Returns drop ID → other devices that dropped.
 */
export function findFleetWideDrops(drops: readonly DiagnosisEvent[], fleet: FleetContext): Map<string, number> {
  const threshold = fleetWideThreshold(fleet.devicesTotal);
  const result = new Map<string, number>();
  for (const drop of drops) {
    const otherDevices = fleet.otherDevicesDropping.get(minuteOf(drop.occurredAt)) ?? 0;
    if (otherDevices >= threshold) result.set(drop.id, otherDevices);
  }
  return result;
}

/** A fleet-wide finding may lead the diagnosis only when it explains more than this share of the device's drops. */
export const FLEET_WIDE_LEADING_SHARE = 0.5;

/** How sure a drop is the server's or the network's when our own probe of the broker failed at the same time. */
const PROBE_FAILED_STRENGTH = 0.85;

/**
 * Drops that were not this device's doing: fleet-wide ones (many devices dropped with it) and ones that coincided
 * with our own probe of the broker failing. Scheduled probe runs around them say which: a failed run names the step
 * (server or network), runs that all passed say the server was reachable from here.
 */
export function detectFleetWideDrops(ctx: AnalysisContext): DraftFinding[] {
  if (ctx.fleetWide.size === 0 && ctx.probeFailed.size === 0) return [];
  const affected = ctx.drops.filter((drop) => ctx.fleetWide.has(drop.id) || ctx.probeFailed.has(drop.id));
  const first = affected[0];
  const last = affected.at(-1);
  if (!first || !last) return [];
  const total = ctx.drops.length;
  const share = affected.length / total;
  const rest = total - affected.length;
  const codes = [...new Set(affected.map((drop) => drop.code).filter((code): code is string => code !== null))];
  const subject =
    total === 1
      ? "This device's only drop"
      : affected.length === total
        ? `All ${total} of this device's drops`
        : `${affected.length} of this device's ${total} drops`;
  const restText =
    rest === 0
      ? "a server-side or network event, not a problem of this device."
      : `those were server-side or network events; the other ${rest} drop${rest === 1 ? " is" : "s are"} this device's own and need their own explanation.`;
  const peak = ctx.fleetWide.size > 0 ? Math.max(...ctx.fleetWide.values()) : 0;
  const fleetStrength = ctx.fleet && peak > 0 ? 0.55 + 0.35 * Math.min(1, peak / (2 * fleetWideThreshold(ctx.fleet.devicesTotal))) : 0;
  // Strength grows with how many other devices dropped; a minority share caps it so it never outranks the rest's finding.
  const strength = ctx.probeFailed.size > 0 ? Math.max(fleetStrength, PROBE_FAILED_STRENGTH) : fleetStrength;
  const failedRun = [...ctx.probeFailed.values()][0] ?? null;
  const probeText = failedRun
    ? `${capitalize(describeFailedRun(failedRun))} — the server or the network, not the device.`
    : describePassingRuns(
        runsAround(
          ctx.probes?.runs ?? [],
          affected.map((drop) => drop.occurredAt),
        ),
      );
  const verdict =
    ctx.fleetWide.size > 0 && ctx.fleet
      ? `${subject} happened while up to ${peak} other devices dropped within a minute of them (out of ${ctx.fleet.devicesTotal} comparable device${ctx.fleet.devicesTotal === 1 ? "" : "s"}: same source and broker node, active in the window): ${restText}`
      : `${subject} coincided with our own probe of the broker failing: ${restText}`;
  return [
    {
      analyzer: "fleet-wide-drops",
      title:
        ctx.fleetWide.size === 0
          ? "Drops while our probe of the broker failed (server or network side)"
          : share > FLEET_WIDE_LEADING_SHARE
            ? "Fleet-wide drops (server or network side)"
            : "Some drops were fleet-wide",
      verdict: probeText ? `${verdict} ${probeText.endsWith(".") ? probeText : `${capitalize(probeText)}.`}` : verdict,
      severity: "info",
      // The drops it names were fleet-wide with the same strength either way; a minority only ranks low (0.3 at most:
      // a share-scaled confidence read as "0 %" beside a true statement).
      confidence: clamp(share > FLEET_WIDE_LEADING_SHARE ? strength : Math.min(strength, 0.3)),
      evidence: {
        eventIds: affected.map((drop) => drop.id),
        stats: {
          fleetWideDrops: ctx.fleetWide.size,
          deviceDrops: total,
          peakOtherDevicesDropping: peak,
          ...(ctx.fleet ? { fleetDevices: ctx.fleet.devicesTotal } : {}),
          shareOfDrops: Math.round(share * 100),
          ...probeStats(ctx, failedRun),
        },
        range: rangeAround(first.occurredAt, last.occurredAt, 5 * MINUTE_MS),
      },
      codes,
      steps: [
        { text: "Look at the broker, load balancer or provider status for those minutes, not at the device", check: "manual" },
        {
          text: "Make sure every device reconnects on its own with backoff and jitter, so a fleet event does not become a reconnect storm",
          check: "reconnect-backoff",
        },
      ],
    },
  ];
}

function probeStats(ctx: AnalysisContext, failedRun: ProbeRunEvidence | null): Record<string, number | string> {
  if (!ctx.probes || ctx.probes.runs.length === 0) return {};
  return {
    probeFailedDrops: ctx.probeFailed.size,
    probeEndpoint: ctx.probes.endpointNames.join(", "),
    ...(failedRun ? { probeFailedStep: failedRun.failedStep ?? "timeout", probeFailedAt: failedRun.startedAt.toISOString() } : {}),
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
