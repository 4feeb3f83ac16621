import { Prisma, type Db } from "@/lib/db/client.ts";
import { ReasonSchema } from "@/lib/events/connection-event.ts";
import { DeviceStateSchema } from "@/lib/devices/device-list-params.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { reasonRollupRelation, scopeConditions, type FleetFilter } from "./fleet-filter.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";

const FlappingDeviceSchema = z.object({
  deviceId: z.string(),
  state: DeviceStateSchema,
  /** Disconnects the client did not ask for (every reason except client_disconnect) in the range. */
  drops: z.number(),
  dropsPerHour: z.number(),
  /** Most drops within one UTC hour of the range. */
  peakHourDrops: z.number(),
  topReason: ReasonSchema,
  lastDropAt: SqlDate,
});
export type FlappingDevice = z.infer<typeof FlappingDeviceSchema>;

/**
 * Devices with the most drops per hour over [from, to), from the per-device minute rollup. The top reason is
 * looked up for the listed devices only (through the rollup's device index), not for every device in the range.
 */
export async function listFlappingDevices(
  db: Db,
  input: { from: Date; to: Date; filter: FleetFilter; limit: number },
): Promise<FlappingDevice[]> {
  const hours = Math.max(1, (input.to.getTime() - input.from.getTime()) / 3_600_000);
  return queryRows(
    db,
    "listFlappingDevices",
    FlappingDeviceSchema,
    Prisma.sql`
    SELECT t.device_id AS "deviceId", d.state::text AS state, t.drops, (t.drops / ${hours}::float8) AS "dropsPerHour",
           t.peak AS "peakHourDrops", t.last_at AS "lastDropAt",
           (SELECT r.reason::text FROM device_reason_minute r
            WHERE r.device_id = t.device_id AND r.bucket >= ${input.from} AND r.bucket < ${input.to}
              AND r.kind = 'disconnected' AND r.reason <> 'client_disconnect' ${scopeConditions(input.filter, "r")}
            GROUP BY r.reason ORDER BY SUM(r.count) DESC, r.reason LIMIT 1) AS "topReason"
    FROM (
      SELECT h.device_id, SUM(h.drops)::int AS drops, MAX(h.drops)::int AS peak, MAX(h.last_at) AS last_at
      FROM (
        SELECT x.device_id, date_bin(INTERVAL '1 hour', x.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS hour,
               SUM(x.count) AS drops, MAX(x.bucket) AS last_at
        FROM ${reasonRollupRelation(input.filter, { perDevice: true })} x
        WHERE x.bucket >= ${input.from} AND x.bucket < ${input.to} AND x.kind = 'disconnected' AND x.reason <> 'client_disconnect'
        GROUP BY 1, 2
      ) h
      GROUP BY h.device_id
      ORDER BY drops DESC, peak DESC, h.device_id
      LIMIT ${input.limit}
    ) t
    JOIN devices d ON d.id = t.device_id
    ORDER BY t.drops DESC, t.peak DESC, t.device_id`,
  );
}
