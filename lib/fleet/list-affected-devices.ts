import { Prisma, type Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import { DeviceStateSchema } from "@/lib/devices/device-list-params.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

const AffectedDeviceSchema = z.object({
  deviceId: z.string(),
  state: DeviceStateSchema,
  disconnects: z.number(),
  failedConnects: z.number(),
  total: z.number(),
  /** Start of the last minute in the range with one of them. */
  lastAt: SqlDate,
});
export type AffectedDevice = z.infer<typeof AffectedDeviceSchema>;

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
  const rows = await queryRows(
    db,
    "listAffectedDevices",
    AffectedDeviceSchema.extend({ totalDevices: z.number() }),
    Prisma.sql`
    SELECT x.device_id AS "deviceId", d.state::text AS state,
           COALESCE(SUM(x.count) FILTER (WHERE x.kind = 'disconnected'), 0)::int AS disconnects,
           COALESCE(SUM(x.count) FILTER (WHERE x.kind = 'connect_failed'), 0)::int AS "failedConnects",
           SUM(x.count)::int AS total, MAX(x.bucket) AS "lastAt", (COUNT(*) OVER ())::int AS "totalDevices"
    FROM ${reasonRollupRelation(input.filter, { perDevice: true })} x
    JOIN devices d ON d.id = x.device_id
    WHERE x.bucket >= ${input.from} AND x.bucket < ${input.to} AND x.kind IN ('disconnected', 'connect_failed') AND ${match}
    GROUP BY x.device_id, d.state
    ORDER BY total DESC, x.device_id
    LIMIT ${input.limit}`,
  );
  return { totalDevices: rows[0]?.totalDevices ?? 0, devices: rows.map(({ totalDevices: _total, ...device }) => device) };
}
