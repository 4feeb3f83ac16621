import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { z } from "zod";

/**
 * The fleet a device is compared with: the source (and broker node, where its events name one) most of its
 * broker-side events came from; a device seen only through its own reports is compared with devices reporting
 * through the same source. Null when the device has no events.
 */
export type FleetScope = { source: string; brokerNode: string | null; side: "broker" | "device" };

const CountRowSchema = z.object({ devices: z.number() });
const LatestCountRowSchema = z.object({ devices: z.number().nullable() });

const nodeCondition = (scope: FleetScope) => (scope.brokerNode === null ? Prisma.empty : Prisma.sql`AND broker_node = ${scope.brokerNode}`);

/**
 * The broker-side count from device_reason_latest (one row per device and scope, decision 055), or null when a device
 * of the scope was active at or after `to` (a window in the past): the newest bucket then no longer says whether the
 * device was active inside the window. Reads the scope's devices active since `from`, never their minute rows.
 */
export function countActiveDevicesFromLatestSql(deviceId: string, scope: FleetScope, from: Date, to: Date): Prisma.Sql {
  const node = nodeCondition(scope);
  return Prisma.sql`
    SELECT CASE
      WHEN EXISTS (SELECT 1 FROM device_reason_latest WHERE source = ${scope.source} ${node} AND last_bucket >= ${to}) THEN NULL
      ELSE (SELECT COUNT(*)::int FROM (
        SELECT device_id FROM device_reason_latest
        WHERE source = ${scope.source} ${node} AND last_bucket >= date_trunc('minute', ${from}::timestamptz)
        UNION
        SELECT device_id FROM fleet_connected_devices WHERE source = ${scope.source} ${node} AND since < ${to}
        UNION
        SELECT ${deviceId}::text
      ) active)
    END AS devices`;
}

/** The same count from the window's minute rows: windows in the past, and the reference the tests compare with. */
export function countActiveDevicesFromMinutesSql(deviceId: string, scope: FleetScope, from: Date, to: Date): Prisma.Sql {
  const node = nodeCondition(scope);
  return Prisma.sql`
    SELECT COUNT(*)::int AS devices FROM (
      SELECT device_id FROM device_reason_minute
      WHERE bucket >= date_trunc('minute', ${from}::timestamptz) AND bucket < ${to} AND source = ${scope.source} ${node}
      UNION
      SELECT device_id FROM fleet_connected_devices WHERE source = ${scope.source} ${node} AND since < ${to}
      UNION
      SELECT ${deviceId}::text
    ) active`;
}

/**
 * Devices of the scope that were active in [from, to), the denominator of "how much of its fleet dropped with it":
 * they disconnected or were refused in it (device_reason_minute, which holds clean disconnects too), or were
 * connected during it (fleet_connected_devices); for a device-side scope, devices that reported in it. Never every
 * device ever seen on every platform. A window ending now reads one row per active device (device_reason_latest); the
 * minute rows of the window grew with the events: 211–259 ms at 10M events (docs/benchmarks.md).
 */
export async function countActiveDevices(db: Db, deviceId: string, scope: FleetScope, from: Date, to: Date): Promise<number> {
  if (scope.side === "device") {
    const [row] = await queryRows(
      db,
      "countActiveDevices",
      CountRowSchema,
      Prisma.sql`
      SELECT COUNT(DISTINCT device_id)::int AS devices FROM connection_events
      WHERE source = ${scope.source} AND occurred_at >= ${from} AND occurred_at < ${to}`,
    );
    return Math.max(1, row?.devices ?? 0);
  }
  const [latest] = await queryRows(
    db,
    "countActiveDevicesFromLatest",
    LatestCountRowSchema,
    countActiveDevicesFromLatestSql(deviceId, scope, from, to),
  );
  if (latest && latest.devices !== null) return latest.devices;
  const [row] = await queryRows(
    db,
    "countActiveDevicesFromMinutes",
    CountRowSchema,
    countActiveDevicesFromMinutesSql(deviceId, scope, from, to),
  );
  return row?.devices ?? 1;
}
