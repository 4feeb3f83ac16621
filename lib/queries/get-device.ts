import type { Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import type { DeviceState } from "./search-devices.ts";
import { countRecentDeviceEvents } from "./count-recent-device-events.ts";

export type DeviceDetail = {
  id: string;
  state: DeviceState;
  stateOccurredAt: Date | null;
  lastConnectedAt: Date | null;
  lastDisconnectedAt: Date | null;
  lastReason: Reason | null;
  lastCode: string | null;
  lastClientIp: string | null;
  source: string | null;
  brokerNode: string | null;
  firmware: string | null;
  region: string | null;
  network: string | null;
  labels: unknown;
  connectCount: number;
  disconnectCount: number;
  failedConnectCount: number;
  firstSeenAt: Date;
  updatedAt: Date;
  stats: DeviceRecentStats;
};

export type DeviceRecentStats = {
  /** Start of the trailing window the counts below cover (24 h before `now`). */
  since: Date;
  connects: number;
  disconnects: number;
  /** Disconnects the client did not ask for (every reason except client_disconnect). */
  drops: number;
  failedConnects: number;
  /** The device logged more than MAX_COUNTED_EVENTS in the 24 h: the counts cover its newest ones, and are lower bounds. */
  truncated: boolean;
  currentSessionStartedAt: Date | null;
};

const RECENT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The device row plus counts over the last 24 h, or null when no such device has ever reported. */
export async function getDevice(db: Db, deviceId: string, now = new Date()): Promise<DeviceDetail | null> {
  const since = new Date(now.getTime() - RECENT_WINDOW_MS);
  const [device, recentCounts, openSession] = await Promise.all([
    db.device.findUnique({
      where: { id: deviceId },
      select: {
        id: true,
        state: true,
        stateOccurredAt: true,
        lastConnectedAt: true,
        lastDisconnectedAt: true,
        lastReason: true,
        lastCode: true,
        lastClientIp: true,
        source: true,
        brokerNode: true,
        firmware: true,
        region: true,
        network: true,
        labels: true,
        connectCount: true,
        disconnectCount: true,
        failedConnectCount: true,
        firstSeenAt: true,
        updatedAt: true,
      },
    }),
    countRecentDeviceEvents(db, deviceId, { since, now }),
    db.session.findFirst({
      where: { deviceId, endedAt: null },
      orderBy: { startedAt: "desc" },
      select: { startedAt: true },
    }),
  ]);
  if (!device) return null;
  return {
    ...device,
    labels: redactSecrets(device.labels),
    stats: {
      since,
      ...recentCounts,
      currentSessionStartedAt: device.state === "online" ? (openSession?.startedAt ?? null) : null,
    },
  };
}
