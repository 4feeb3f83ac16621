import type { LiveChange } from "./live-messages.ts";

/** The LIVE-UPDATE CONTRACT: `useQuery({ …, meta: liveFleetMeta })` or `meta: liveDeviceMeta(deviceId)`. */
export type LiveQueryMeta = { live: "fleet" } | { live: "device"; deviceId: string };

export const liveFleetMeta = { live: "fleet" } as const satisfies LiveQueryMeta;
export function liveDeviceMeta(deviceId: string): LiveQueryMeta {
  return { live: "device", deviceId };
}

/** Changes gathered between two refreshes: any new event at all, and which devices (or "all" when truncated). */
export type PendingChanges = { any: boolean; devices: Set<string> | "all" };

export function createPendingChanges(): PendingChanges {
  return { any: false, devices: new Set() };
}

/** Pure: folds one `change` message into the pending set. A message without devices (the snapshot) adds nothing. */
export function addChange(pending: PendingChanges, change: LiveChange): PendingChanges {
  if (change.devices.length === 0 && !change.truncated) return pending;
  if (change.truncated || pending.devices === "all") return { any: true, devices: "all" };
  const devices = new Set(pending.devices);
  for (const deviceId of change.devices) devices.add(deviceId);
  return { any: true, devices };
}

/** Everything live is stale: after a reconnect or a hidden tab, when events may have been missed. */
export function everythingChanged(): PendingChanges {
  return { any: true, devices: "all" };
}

/** Pure: does this query's meta ask to be refetched for these changes? Queries without live meta never are. */
export function isAffectedByChanges(meta: Record<string, unknown> | undefined, pending: PendingChanges): boolean {
  if (!pending.any || !meta) return false;
  if (meta.live === "fleet") return true;
  if (meta.live === "device" && typeof meta.deviceId === "string") {
    return pending.devices === "all" || pending.devices.has(meta.deviceId);
  }
  return false;
}

/**
 * Pure: on (re)connecting, the server's snapshot says when the newest event arrived. A live query whose data
 * is older than that may have missed it (it was rendered or fetched before the stream was open).
 */
export function isOlderThanSnapshot(
  meta: Record<string, unknown> | undefined,
  dataUpdatedAt: number,
  latestReceivedAt: string | null,
): boolean {
  if (!meta || (meta.live !== "fleet" && meta.live !== "device") || latestReceivedAt === null) return false;
  return dataUpdatedAt < Date.parse(latestReceivedAt);
}
