import { Prisma, type Db } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { deviceMetadataConditions, scopeConditions, type FleetFilter } from "./fleet-filter.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

const OfflineDeviceSchema = z.object({
  deviceId: z.string(),
  /** When it went offline (its last disconnect, or the refused connect that made it offline). */
  offlineSince: SqlDate.nullable(),
  lastReason: ReasonSchema.nullable(),
  lastCode: z.string().nullable(),
  firmware: z.string().nullable(),
  region: z.string().nullable(),
});
export type OfflineDevice = z.infer<typeof OfflineDeviceSchema>;

/**
 * Devices offline now, longest first (current state, so the time range does not apply). Source and broker node
 * are the device's own here.
 */
export async function listOfflineDevices(
  db: Db,
  input: { filter: FleetFilter; limit: number },
): Promise<{ totalOffline: number; devices: OfflineDevice[] }> {
  const rows = await queryRows(
    db,
    "listOfflineDevices",
    OfflineDeviceSchema.extend({ totalOffline: z.number() }),
    Prisma.sql`
    SELECT d.id AS "deviceId", COALESCE(d.last_disconnected_at, d.state_occurred_at) AS "offlineSince",
           d.last_reason::text AS "lastReason", d.last_code AS "lastCode", d.firmware, d.region,
           (COUNT(*) OVER ())::int AS "totalOffline"
    FROM devices d
    WHERE d.state = 'offline' ${scopeConditions(input.filter, "d")} ${deviceMetadataConditions(input.filter)}
    ORDER BY COALESCE(d.last_disconnected_at, d.state_occurred_at) ASC NULLS LAST, d.id
    LIMIT ${input.limit}`,
  );
  return { totalOffline: rows[0]?.totalOffline ?? 0, devices: rows.map(({ totalOffline: _total, ...device }) => device) };
}
