import type { Db } from "@/lib/db/client.ts";
import type { Reason } from "@/lib/events/connection-event.ts";
import type { DeviceState } from "@/lib/queries/search-devices.ts";
import { reasonRollupRelation, type FleetFilter } from "./fleet-filter.ts";

export type FlappingDevice = {
  deviceId: string;
  state: DeviceState;
  /** Disconnects the client did not ask for (every reason except client_disconnect) in the range. */
  drops: number;
  dropsPerHour: number;
  /** Most drops within one UTC hour of the range. */
  peakHourDrops: number;
  topReason: Reason;
  lastDropAt: Date;
};

/** Devices with the most drops per hour over [from, to), from the per-device minute rollup. */
export async function listFlappingDevices(
  db: Db,
  input: { from: Date; to: Date; filter: FleetFilter; limit: number },
): Promise<FlappingDevice[]> {
  const hours = Math.max(1, (input.to.getTime() - input.from.getTime()) / 3_600_000);
  return db.$queryRaw<FlappingDevice[]>`
    SELECT h.device_id AS "deviceId", d.state::text AS state, SUM(h.drops)::int AS drops,
           (SUM(h.drops) / ${hours}::float8) AS "dropsPerHour", MAX(h.drops)::int AS "peakHourDrops",
           mode() WITHIN GROUP (ORDER BY h.top_reason) AS "topReason", MAX(h.last_at) AS "lastDropAt"
    FROM (
      SELECT x.device_id, date_trunc('hour', x.bucket, 'UTC') AS hour, SUM(x.count) AS drops,
             mode() WITHIN GROUP (ORDER BY x.reason::text) AS top_reason, MAX(x.bucket) AS last_at
      FROM ${reasonRollupRelation(input.filter, { perDevice: true })} x
      WHERE x.bucket >= ${input.from} AND x.bucket < ${input.to} AND x.kind = 'disconnected' AND x.reason <> 'client_disconnect'
      GROUP BY 1, 2
    ) h
    JOIN devices d ON d.id = h.device_id
    GROUP BY h.device_id, d.state
    ORDER BY drops DESC, "peakHourDrops" DESC, h.device_id
    LIMIT ${input.limit}`;
}
