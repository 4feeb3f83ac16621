import { Prisma, type Db } from "@/lib/db/client.ts";
import { EventKindSchema, ReasonSchema, type Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import type { DeviceState } from "./search-devices.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { deviceEventsNewestFirst } from "./device-events-newest-first.ts";
import { countDeviceEvents } from "./compute-session-stats.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

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

/** Bound on the events the 24 h counts read, as the diagnosis bounds its own (MAX_DIAGNOSIS_EVENTS). */
export const MAX_COUNTED_EVENTS = 20_000;

const CountedRowSchema = z.object({
  id: z.bigint(),
  kind: EventKindSchema,
  reason: ReasonSchema,
  code: z.string().nullable(),
  occurredAt: SqlDate,
  source: z.string(),
  feed: z.string().nullable(),
});

/** The device row plus counts over the last 24 h, or null when no such device has ever reported. */
export async function getDevice(db: Db, deviceId: string, now = new Date()): Promise<DeviceDetail | null> {
  const since = new Date(now.getTime() - RECENT_WINDOW_MS);
  const deviceEvents = deviceEventsNewestFirst(deviceId);
  const [device, recentEvents, openSession] = await Promise.all([
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
    // Counted in Node, not by window functions: a moment two feeds of the platform logged is one (decision 075).
    queryRows(
      db,
      "getDevice.recentEvents",
      CountedRowSchema,
      Prisma.sql`
      SELECT e.id, e.kind::text AS kind, e.reason::text AS reason, e.code, e.occurred_at AS "occurredAt", e.source, e.feed
      FROM connection_events e
      WHERE ${deviceEvents.where} AND e.occurred_at >= ${since} AND e.occurred_at <= ${now} AND e.kind <> 'device_report'
      ${deviceEvents.orderBy}
      LIMIT ${MAX_COUNTED_EVENTS + 1}`,
    ),
    db.session.findFirst({
      where: { deviceId, endedAt: null },
      orderBy: { startedAt: "desc" },
      select: { startedAt: true },
    }),
  ]);
  if (!device) return null;
  const counted = recentEvents.slice(0, MAX_COUNTED_EVENTS).map((row) => ({ ...row, id: row.id.toString() }));
  return {
    ...device,
    labels: redactSecrets(device.labels),
    stats: {
      since,
      ...countDeviceEvents(counted),
      truncated: recentEvents.length > MAX_COUNTED_EVENTS,
      currentSessionStartedAt: device.state === "online" ? (openSession?.startedAt ?? null) : null,
    },
  };
}
