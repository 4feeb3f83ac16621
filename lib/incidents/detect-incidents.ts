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
  /** An incident ends once its scope has had no elevated dropping (many devices at once) for this long. */
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
 * minute is that device's problem, not an incident. A burst goes on while the scope still qualifies (as many
 * distinct devices dropping within a window) with gaps no longer than `quietMs`: the drops of the few devices that
 * always flap are not enough to keep it open, and since they were dropping before the burst began they are not part
 * of it at all (see devicesDroppingBefore): samples should reach `quietMs` before the window of interest.
 */
export function detectIncidents(
  samples: readonly DropSample[],
  fleetSize: number,
  thresholds: DetectionThresholds,
  now: Date,
): DetectedIncident[] {
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
    const windowEnd = windowEnds(drops, thresholds.windowMs);
    const devices = distinctDevicesIn(drops);
    let i = 0;
    while (i < drops.length) {
      const start = drops[i];
      if (!start) break;
      const end = windowEnd(i);
      if (devices(i, end) < needed) {
        i++;
        continue;
      }
      // A flapping device's drop just before the burst must not pull its start earlier.
      const peak = findDenseStart(drops, i, thresholds.windowMs, needed);
      const burst = extendWhileElevated(drops, peak, windowEnd(peak), needed, thresholds);
      i = burst.nextIndex;
      // Devices that were already dropping before the burst began flap all the time: they are not part of it, so
      // they neither start it, nor add to its reasons, nor to its recovery.
      const flapping = devicesDroppingBefore(drops, peak, thresholds.quietMs);
      const own = burst.drops.filter((drop) => !flapping.has(drop.deviceId));
      if (new Set(own.map((drop) => drop.deviceId)).size < needed) continue;
      incidents.push(summarizeDrops(own, thresholds.quietMs, now));
    }
  }
  return incidents.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** Devices with a drop in the `lookbackMs` before drops[index]. */
function devicesDroppingBefore(drops: readonly DropSample[], index: number, lookbackMs: number): Set<string> {
  const startAt = drops[index]?.at.getTime() ?? 0;
  const devices = new Set<string>();
  for (let k = index - 1; k >= 0; k--) {
    const drop = drops[k];
    if (!drop || startAt - drop.at.getTime() > lookbackMs) break;
    if (drop.at.getTime() < startAt) devices.add(drop.deviceId);
  }
  return devices;
}

/**
 * Index of the first drop more than `windowMs` after drops[from], for `from` in increasing order: the end only moves
 * forward, so a pass over a scope reads each drop once (a mass drop has tens of thousands in one window).
 */
function windowEnds(drops: readonly DropSample[], windowMs: number): (from: number) => number {
  let end = 0;
  return (from) => {
    const startAt = drops[from]?.at.getTime() ?? 0;
    end = Math.max(end, from);
    while (end < drops.length && (drops[end]?.at.getTime() ?? 0) - startAt <= windowMs) end++;
    return end;
  };
}

/**
 * Distinct devices among drops[from, to), for ranges whose ends only move forward: each drop enters and leaves the
 * count once, where counting each window afresh was quadratic in the drops of a window.
 */
function distinctDevicesIn(drops: readonly DropSample[]): (from: number, to: number) => number {
  const counts = new Map<string, number>();
  let left = 0;
  let right = 0;
  return (from, to) => {
    if (from >= right) {
      counts.clear();
      left = right = from;
    }
    for (; right < to; right++) addDevice(counts, drops[right]?.deviceId);
    for (; left < from; left++) removeDevice(counts, drops[left]?.deviceId);
    return counts.size;
  };
}

/**
 * Where a qualifying burst really begins: the first drop from which a quarter of the window already holds
 * `dense` distinct devices (so a flapping device's drops a minute before a restart are left out); drops[from]
 * when the burst built up gradually.
 */
function findDenseStart(drops: readonly DropSample[], from: number, windowMs: number, dense: number): number {
  const firstAt = drops[from]?.at.getTime() ?? 0;
  const quarterEnd = windowEnds(drops, windowMs / 4);
  const devices = distinctDevicesIn(drops);
  for (let s = from; s < drops.length && (drops[s]?.at.getTime() ?? 0) - firstAt <= windowMs; s++) {
    if (devices(s, quarterEnd(s)) >= dense) return s;
  }
  return from;
}

/**
 * The drops of a burst that starts with drops[start, end): a later drop is elevated when the trailing window up to
 * it holds at least `needed` distinct devices; the burst runs to the last elevated drop that came within
 * `quietMs` of the previous one, and keeps the drops inside those elevated windows (not stragglers between them).
 */
function extendWhileElevated(
  drops: readonly DropSample[],
  start: number,
  end: number,
  needed: number,
  thresholds: DetectionThresholds,
): { drops: DropSample[]; nextIndex: number } {
  const elevated = new Set<number>();
  let lastIncluded = end - 1;
  const windowCounts = new Map<string, number>();
  let left = start;
  for (let k = start; k < end; k++) addDevice(windowCounts, drops[k]?.deviceId);
  for (let k = end; k < drops.length; k++) {
    const drop = drops[k];
    const lastAt = drops[lastIncluded]?.at.getTime() ?? 0;
    if (!drop || drop.at.getTime() - lastAt > thresholds.quietMs) break;
    addDevice(windowCounts, drop.deviceId);
    while (left < k && (drops[left]?.at.getTime() ?? 0) <= drop.at.getTime() - thresholds.windowMs) {
      removeDevice(windowCounts, drops[left]?.deviceId);
      left++;
    }
    if (windowCounts.size >= needed) {
      elevated.add(k);
      lastIncluded = k;
    }
  }
  const burst: DropSample[] = [];
  let nextElevatedAt: number | null = null;
  for (let m = lastIncluded; m >= start; m--) {
    const drop = drops[m];
    if (!drop) continue;
    if (elevated.has(m)) nextElevatedAt = drop.at.getTime();
    const inElevatedWindow = nextElevatedAt !== null && nextElevatedAt - drop.at.getTime() < thresholds.windowMs;
    if (m < end || inElevatedWindow) burst.push(drop);
  }
  return { drops: burst.reverse(), nextIndex: lastIncluded + 1 };
}

function addDevice(counts: Map<string, number>, deviceId: string | undefined): void {
  if (deviceId !== undefined) counts.set(deviceId, (counts.get(deviceId) ?? 0) + 1);
}

function removeDevice(counts: Map<string, number>, deviceId: string | undefined): void {
  if (deviceId === undefined) return;
  const left = (counts.get(deviceId) ?? 0) - 1;
  if (left <= 0) counts.delete(deviceId);
  else counts.set(deviceId, left);
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
      devices.set(drop.deviceId, {
        deviceId: drop.deviceId,
        firstDropAt: drop.at,
        drops: 1,
        reason: drop.reason,
        reasons: new Map([[drop.reason, 1]]),
      });
    }
  }
  const affected = [...devices.values()].map(({ reasons, ...device }) => ({
    ...device,
    reason: pickMostFrequent(reasons) ?? device.reason,
  }));
  return {
    source: first.source,
    brokerNode: first.brokerNode,
    startedAt: first.at,
    lastDropAt: last.at,
    ended: now.getTime() - last.at.getTime() > quietMs,
    devices: affected,
    reasonCounts,
    codeCounts,
    // Weighted by devices: one device's hundred reconnects must not name a fleet incident.
    dominantReason: pickMostFrequent(countDevicesByReason(affected)) ?? first.reason,
  };
}

function countDevicesByReason(devices: readonly AffectedDevice[]): Map<Reason, number> {
  const counts = new Map<Reason, number>();
  for (const device of devices) counts.set(device.reason, (counts.get(device.reason) ?? 0) + 1);
  return counts;
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
