import { Prisma, type Db } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { DeviceStateSchema } from "@/lib/devices/device-list-params.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { deviceEventsNewestFirst } from "./device-events-newest-first.ts";

const DroppingDeviceSchema = z.object({
  deviceId: z.string(),
  state: DeviceStateSchema,
  /** Disconnects the client did not ask for (every reason except client_disconnect). */
  drops: z.number(),
  failedConnects: z.number(),
  /** Most frequent reason among those drops and failed connects. */
  topReason: ReasonSchema.nullable(),
  lastDropAt: SqlDate,
});
export type DroppingDevice = z.infer<typeof DroppingDeviceSchema>;

const DROP_FILTER = Prisma.sql`(r.kind = 'connect_failed' OR (r.kind = 'disconnected' AND r.reason <> 'client_disconnect'))`;

/**
 * Devices with the most unrequested disconnects and failed connects in [from, to), ranked from the per-device
 * minute rollup (device_reason_minute) so a busy fleet's day is not a scan of raw events; whole minutes count.
 * Only the exact last drop of each listed device is read from connection_events, through its per-device index.
 */
export async function listTopDroppingDevices(db: Db, input: { from: Date; to: Date; limit: number }): Promise<DroppingDevice[]> {
  // Each listed device's last drop through its own index, whatever a month's statistics say (decision 064).
  const lastDrop = deviceEventsNewestFirst(Prisma.sql`t.device_id`);
  return queryRows(
    db,
    "listTopDroppingDevices",
    DroppingDeviceSchema,
    Prisma.sql`
    WITH top AS (
      SELECT r.device_id,
             COALESCE(SUM(r.count) FILTER (WHERE r.kind = 'disconnected'), 0)::int AS drops,
             COALESCE(SUM(r.count) FILTER (WHERE r.kind = 'connect_failed'), 0)::int AS failed
      FROM device_reason_minute r
      WHERE r.bucket >= date_trunc('minute', ${input.from}::timestamptz) AND r.bucket < ${input.to} AND ${DROP_FILTER}
      GROUP BY r.device_id
      ORDER BY SUM(r.count) DESC, 2 DESC, r.device_id
      LIMIT ${input.limit}
    )
    SELECT t.device_id AS "deviceId",
           d.state::text AS state,
           t.drops,
           t.failed AS "failedConnects",
           (SELECT r.reason::text FROM device_reason_minute r
             WHERE r.device_id = t.device_id AND r.bucket >= date_trunc('minute', ${input.from}::timestamptz) AND r.bucket < ${input.to} AND ${DROP_FILTER}
             GROUP BY r.reason ORDER BY SUM(r.count) DESC, r.reason::text LIMIT 1) AS "topReason",
           (SELECT e.occurred_at FROM connection_events e
             WHERE ${lastDrop.where} AND e.occurred_at >= ${input.from} AND e.occurred_at < ${input.to}
               AND (e.kind = 'connect_failed' OR (e.kind = 'disconnected' AND e.reason <> 'client_disconnect'))
             ${lastDrop.orderBy} LIMIT 1) AS "lastDropAt"
    FROM top t
    JOIN devices d ON d.id = t.device_id
    ORDER BY t.drops + t.failed DESC, t.drops DESC, t.device_id`,
  );
}
