import { Prisma } from "@/lib/db/client.ts";
import { deviceMetadataConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";

/** Disconnects the client did not ask for: the same rule as the drop rollups and flapping devices. */
export const DROP_CONDITION = Prisma.sql`r.kind = 'disconnected' AND r.reason <> 'client_disconnect'`;
export const REFUSAL_CONDITION = Prisma.sql`r.kind = 'connect_failed'`;

/**
 * One row per device seen in [from, end): a disconnect or failed connect in the rollup, or a session overlapping the
 * range. Columns: device_id, drops, refusals, connected_s, exposure_s, plus the devices row as `d` for grouping.
 * A device's exposure runs from the range start (or when it was first seen, if later) to the end, so devices that
 * did not exist or never showed up add no device-hours; connected time is capped at the exposure (overlapping
 * sessions of a takeover are not counted twice).
 */
export function seenDevicesSql(input: { from: Date; end: Date; filter: FleetFilter }): Prisma.Sql {
  const { from, end } = input;
  return Prisma.sql`
    WITH reason_counts AS (
      SELECT r.device_id,
             COALESCE(SUM(r.count) FILTER (WHERE ${DROP_CONDITION}), 0)::float8 AS drops,
             COALESCE(SUM(r.count) FILTER (WHERE ${REFUSAL_CONDITION}), 0)::float8 AS refusals,
             MIN(r.bucket) AS first_at
      FROM device_reason_minute r
      WHERE r.bucket >= ${from} AND r.bucket < ${end}
      GROUP BY r.device_id
    ), overlapping AS (
      SELECT device_id, started_at, ended_at FROM sessions WHERE ended_at > ${from} AND started_at < ${end}
      UNION ALL
      SELECT device_id, started_at, ended_at FROM sessions WHERE ended_at IS NULL AND started_at < ${end}
    ), connected AS (
      SELECT device_id,
             SUM(EXTRACT(EPOCH FROM LEAST(COALESCE(ended_at, ${end}), ${end}) - GREATEST(started_at, ${from})))::float8 AS seconds,
             MIN(started_at) AS first_at
      FROM overlapping GROUP BY device_id
    ), seen AS (
      SELECT device_id, COALESCE(rc.drops, 0) AS drops, COALESCE(rc.refusals, 0) AS refusals,
             COALESCE(c.seconds, 0) AS connected_s, LEAST(rc.first_at, c.first_at) AS first_at
      FROM reason_counts rc FULL JOIN connected c USING (device_id)
    ), exposed AS (
      SELECT s.device_id, s.drops, s.refusals, d.*,
             GREATEST(0, EXTRACT(EPOCH FROM ${end} - GREATEST(${from}, LEAST(d.first_seen_at, s.first_at))))::float8 AS exposure_s,
             s.connected_s
      FROM seen s JOIN devices d ON d.id = s.device_id
      WHERE true ${deviceMetadataConditions(input.filter)}
    )`;
}
