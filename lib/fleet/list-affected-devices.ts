import { Prisma, type Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { DeviceState } from "@/lib/queries/search-devices.ts";
import { reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";

export type AffectedDevice = {
  deviceId: string;
  state: DeviceState;
  disconnects: number;
  failedConnects: number;
  total: number;
  /** Start of the last minute in the range with one of them. */
  lastAt: Date;
};

export type AffectedDevices = { totalDevices: number; devices: AffectedDevice[] };

/**
 * The devices behind one row of the breakdown (a reason, or a code; null = events without a code) in [from, to),
 * most affected first, from the per-device minute rollup.
 */
export async function listAffectedDevices(
  db: Db,
  input: { by: "reason" | "code"; key: string | null; from: Date; to: Date; filter: FleetFilter; limit: number },
): Promise<AffectedDevices> {
  const match = input.by === "reason" ? Prisma.sql`x.reason = ${input.key as Reason}::"Reason"` : Prisma.sql`x.code = ${input.key ?? ""}`;
  const rows = await db.$queryRaw<(AffectedDevice & { totalDevices: number })[]>`
    SELECT x.device_id AS "deviceId", d.state::text AS state,
           COALESCE(SUM(x.count) FILTER (WHERE x.kind = 'disconnected'), 0)::int AS disconnects,
           COALESCE(SUM(x.count) FILTER (WHERE x.kind = 'connect_failed'), 0)::int AS "failedConnects",
           SUM(x.count)::int AS total, MAX(x.bucket) AS "lastAt", (COUNT(*) OVER ())::int AS "totalDevices"
    FROM ${reasonRollupRelation(input.filter, { perDevice: true })} x
    JOIN devices d ON d.id = x.device_id
    WHERE x.bucket >= ${input.from} AND x.bucket < ${input.to} AND x.kind IN ('disconnected', 'connect_failed') AND ${match}
    GROUP BY x.device_id, d.state
    ORDER BY total DESC, x.device_id
    LIMIT ${input.limit}`;
  return { totalDevices: rows[0]?.totalDevices ?? 0, devices: rows.map(({ totalDevices: _total, ...device }) => device) };
}
