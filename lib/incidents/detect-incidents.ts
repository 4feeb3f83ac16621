import type { Reason } from "@/lib/events/connection-event.ts";

/** One drop (a disconnect other than a clean client disconnect) of one device. */
export type DropSample = {
  deviceId: string;
  at: Date;
  reason: Reason;
  code: string | null;
  source: string;
  brokerNode: string | null;
};

export type DetectionThresholds = {
  /** Devices that must drop within `windowMs` of each other. */
  minDevices: number;
  /** ... and at least this share of the fleet (0–1). */
  minFleetFraction: number;
  windowMs: number;
  /** An incident ends once its scope has had no drop for this long. */
  quietMs: number;
};

export type AffectedDevice = { deviceId: string; firstDropAt: Date; drops: number; reason: Reason };

export type DetectedIncident = {
  source: string;
  brokerNode: string | null;
  startedAt: Date;
  lastDropAt: Date;
  /** False while the scope may still be dropping (the last drop is within the quiet period of `now`). */
  ended: boolean;
  devices: AffectedDevice[];
  reasonCounts: Partial<Record<Reason, number>>;
  codeCounts: Record<string, number>;
  dominantReason: Reason;
};

/**
 * Finds bursts in which many distinct devices of one scope (source + broker node) drop within a short window.
 * Counting distinct devices, not drops, is the point: one device storming through hundreds of reconnects in a
 * minute is that device's problem, not an incident. A burst extends while drops keep coming within `quietMs`.
 */
export function detectIncidents(samples: readonly DropSample[], fleetSize: number, thresholds: DetectionThresholds, now: Date): DetectedIncident[] {
  const needed = Math.max(thresholds.minDevices, Math.ceil(thresholds.minFleetFraction * fleetSize));
  const byScope = new Map<string, DropSample[]>();
  for (const sample of samples) {
    const key = `${sample.source}\u0000${sample.brokerNode ?? ""}`;
    const list = byScope.get(key);
    if (list) list.push(sample);
    else byScope.set(key, [sample]);
  }

  const incidents: DetectedIncident[] = [];
  for (const scoped of byScope.values()) {
    const drops = [...scoped].sort((a, b) => a.at.getTime() - b.at.getTime());
    let i = 0;
    while (i < drops.length) {
      const start = drops[i];
      if (!start) break;
      const windowDevices = new Set<string>();
      let j = i;
      for (; j < drops.length; j++) {
        const drop = drops[j];
        if (!drop || drop.at.getTime() - start.at.getTime() > thresholds.windowMs) break;
        windowDevices.add(drop.deviceId);
      }
      if (windowDevices.size < needed) {
        i++;
        continue;
      }
      // Extend the burst while the gap to the previous drop stays within the quiet period.
      let end = j;
      while (end < drops.length) {
        const previous = drops[end - 1];
        const next = drops[end];
        if (!previous || !next || next.at.getTime() - previous.at.getTime() > thresholds.quietMs) break;
        end++;
      }
      incidents.push(summarizeDrops(drops.slice(i, end), thresholds.quietMs, now));
      i = end;
    }
  }
  return incidents.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** Affected devices, reason and code counts of a burst of drops (sorted by time). */
export function summarizeDrops(burst: readonly DropSample[], quietMs: number, now: Date): DetectedIncident {
  const first = burst[0];
  const last = burst[burst.length - 1];
  if (!first || !last) throw new Error("summarizeDrops needs at least one drop");
  const devices = new Map<string, AffectedDevice & { reasons: Map<Reason, number> }>();
  const reasonCounts: Partial<Record<Reason, number>> = {};
  const codeCounts: Record<string, number> = {};
  for (const drop of burst) {
    reasonCounts[drop.reason] = (reasonCounts[drop.reason] ?? 0) + 1;
    if (drop.code) codeCounts[drop.code] = (codeCounts[drop.code] ?? 0) + 1;
    const device = devices.get(drop.deviceId);
    if (device) {
      device.drops++;
      device.reasons.set(drop.reason, (device.reasons.get(drop.reason) ?? 0) + 1);
    } else {
      devices.set(drop.deviceId, { deviceId: drop.deviceId, firstDropAt: drop.at, drops: 1, reason: drop.reason, reasons: new Map([[drop.reason, 1]]) });
    }
  }
  return {
    source: first.source,
    brokerNode: first.brokerNode,
    startedAt: first.at,
    lastDropAt: last.at,
    ended: now.getTime() - last.at.getTime() > quietMs,
    devices: [...devices.values()].map(({ reasons, ...device }) => ({ ...device, reason: pickMostFrequent(reasons) ?? device.reason })),
    reasonCounts,
    codeCounts,
    dominantReason: pickMostFrequent(new Map(Object.entries(reasonCounts) as [Reason, number][])) ?? first.reason,
  };
}

/** The key with the highest count; ties go to the key seen first. */
export function pickMostFrequent<K>(counts: Map<K, number>): K | null {
  let best: K | null = null;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}
