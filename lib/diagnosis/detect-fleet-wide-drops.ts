import type { AnalysisContext } from "./analysis-context.ts";
import { clamp, minuteOf, rangeAround } from "./statistics.ts";
import type { DiagnosisEvent, DraftFinding, FleetContext } from "./types.ts";

const MINUTE = 60_000;
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

function describeShare(affected: number, total: number): string {
  if (total === 1) return "This device's only drop";
  if (affected === total) return `All ${total} of this device's drops`;
  return `${affected} of this device's ${total} drops`;
}

export function detectFleetWideDrops(ctx: AnalysisContext): DraftFinding[] {
  if (ctx.fleetWide.size === 0 || !ctx.fleet) return [];
  const affected = ctx.drops.filter((drop) => ctx.fleetWide.has(drop.id));
  const peak = Math.max(...ctx.fleetWide.values());
  const first = affected[0];
  const last = affected.at(-1);
  if (!first || !last) return [];
  const share = affected.length / ctx.drops.length;
  const codes = [...new Set(affected.map((drop) => drop.code).filter((code): code is string => code !== null))];
  return [
    {
      analyzer: "fleet-wide-drops",
      title: "Fleet-wide drops (server or network side)",
      verdict: `${describeShare(affected.length, ctx.drops.length)} happened while up to ${peak} other devices dropped within a minute of them: a server-side or network event, not a problem of this device.`,
      severity: "info",
      confidence: clamp(0.55 + 0.35 * Math.min(1, peak / (2 * fleetWideThreshold(ctx.fleet.devicesTotal)))),
      evidence: {
        eventIds: affected.map((drop) => drop.id),
        stats: { fleetWideDrops: affected.length, deviceDrops: ctx.drops.length, peakOtherDevicesDropping: peak, fleetDevices: ctx.fleet.devicesTotal, shareOfDrops: Math.round(share * 100) },
        range: rangeAround(first.occurredAt, last.occurredAt, 5 * MINUTE),
      },
      codes,
      steps: [
        { text: "Look at the broker, load balancer or provider status for those minutes, not at the device", check: "manual" },
        { text: "Make sure every device reconnects on its own with backoff and jitter, so a fleet event does not become a reconnect storm", check: "reconnect-backoff" },
      ],
    },
  ];
}
