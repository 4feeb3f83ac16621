import { Prisma, type Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import type { DeviceState } from "./search-devices.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { deviceEventsOldestFirst } from "./device-events-newest-first.ts";

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
  currentSessionStartedAt: Date | null;
};

const RECENT_WINDOW_MS = 24 * 60 * 60 * 1000;

const CountsRowSchema = z.object({ connects: z.number(), disconnects: z.number(), drops: z.number(), failedConnects: z.number() });

/** The device row plus counts over the last 24 h, or null when no such device has ever reported. */
export async function getDevice(db: Db, deviceId: string, now = new Date()): Promise<DeviceDetail | null> {
  const since = new Date(now.getTime() - RECENT_WINDOW_MS);
  const deviceEvents = deviceEventsOldestFirst(deviceId);
  const [device, counts, openSession] = await Promise.all([
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
    queryRows(
      db,
      "getDevice.counts",
      CountsRowSchema,
      Prisma.sql`
      WITH recent AS (
        SELECT e.kind, e.reason, e.code, e.occurred_at,
               LAG(e.kind) OVER w AS prev_kind, LAG(e.reason) OVER w AS prev_reason, LAG(e.occurred_at) OVER w AS prev_at,
               LEAD(e.code) OVER w AS next_code, LEAD(e.occurred_at) OVER w AS next_at
        FROM connection_events e
        WHERE ${deviceEvents.where} AND e.occurred_at >= ${since} AND e.occurred_at <= ${now} AND e.kind <> 'device_report'
        WINDOW w AS (${deviceEvents.orderBy})
      )
      -- One lost connection is one drop (Azure logs a SAS renewal as 401003 then 404104): as the diagnosis counts.
      SELECT COUNT(*) FILTER (WHERE kind = 'connected')::int AS connects,
             COUNT(*) FILTER (WHERE kind = 'disconnected')::int AS disconnects,
             COUNT(*) FILTER (WHERE kind = 'disconnected' AND reason <> 'client_disconnect'
               AND NOT (prev_kind IS NOT DISTINCT FROM 'disconnected' AND prev_reason IS DISTINCT FROM 'client_disconnect' AND occurred_at - prev_at <= interval '60 seconds'))::int AS drops,
             COUNT(*) FILTER (WHERE kind = 'connect_failed'
               AND NOT (code = 'azure:401003' AND next_code IS NOT DISTINCT FROM 'azure:404104' AND next_at - occurred_at <= interval '60 seconds'))::int AS "failedConnects"
      FROM recent`,
    ),
    db.session.findFirst({
      where: { deviceId, endedAt: null },
      orderBy: { startedAt: "desc" },
      select: { startedAt: true },
    }),
  ]);
  if (!device) return null;
  const recent = counts[0] ?? { connects: 0, disconnects: 0, drops: 0, failedConnects: 0 };
  return {
    ...device,
    labels: redactSecrets(device.labels),
    stats: { since, ...recent, currentSessionStartedAt: device.state === "online" ? (openSession?.startedAt ?? null) : null },
  };
}
