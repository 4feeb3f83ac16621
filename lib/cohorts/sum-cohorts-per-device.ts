import { Prisma, type Db } from "@/lib/db/client.ts";
import { deviceMetadataConditions, scopeConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { cohortValueSql, type CohortDimension } from "./cohort-dimension.ts";
import { DROP_CONDITION, REFUSAL_CONDITION } from "./drop-conditions.ts";
import type { CohortTotals, ReasonCount } from "./shape-cohorts.ts";

/*
 * Cohorts from the per-device rollups, for views the hourly cohort rollup cannot answer: a metadata filter on another
 * dimension than the grouping (cohorts by label within one region). Cost grows with devices × activity in the range
 * (decision 020); exposure is each seen device's whole range, from when it was first seen.
 */

/**
 * One row per device seen in [from, end): a disconnect or failed connect in the rollup, or a session overlapping the
 * range. Columns: device_id, drops, refusals, connected_s, exposure_s, plus the devices row as `d` for grouping.
 * A device's exposure runs from the range start (or when it was first seen, if later) to the end, so devices that
 * did not exist or never showed up add no device-hours; connected time is capped at the exposure (overlapping
 * sessions of a takeover are not counted twice).
 */
function seenDevicesSql(input: { from: Date; end: Date; filter: FleetFilter }): Prisma.Sql {
  const { from, end } = input;
  return Prisma.sql`
    WITH reason_counts AS (
      SELECT r.device_id,
             COALESCE(SUM(r.count) FILTER (WHERE ${DROP_CONDITION}), 0)::float8 AS drops,
             COALESCE(SUM(r.count) FILTER (WHERE ${REFUSAL_CONDITION}), 0)::float8 AS refusals,
             MIN(r.bucket) AS first_at
      FROM device_reason_minute r
      WHERE r.bucket >= ${from} AND r.bucket < ${end} ${scopeConditions(input.filter, "r")}
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
      WHERE true ${deviceMetadataConditions(input.filter)} ${scopeConditions(input.filter, "d")}
    )`;
}

export async function sumCohortsPerDevice(
  db: Db,
  input: { from: Date; end: Date; filter: FleetFilter; by: CohortDimension },
): Promise<CohortTotals[]> {
  return db.$queryRaw<CohortTotals[]>`
    ${seenDevicesSql(input)}
    SELECT ${cohortValueSql(input.by)} AS value, COUNT(*)::int AS devices, SUM(d.drops)::float8 AS drops,
           SUM(d.refusals)::float8 AS refusals, (SUM(d.exposure_s) / 3600)::float8 AS "exposureHours",
           (SUM(LEAST(d.connected_s, d.exposure_s)) / 3600)::float8 AS "connectedHours"
    FROM exposed d
    GROUP BY 1
    ORDER BY "exposureHours" DESC, value`;
}

export async function countReasonsPerDevice(
  db: Db,
  input: { from: Date; end: Date; filter: FleetFilter; by: CohortDimension; a: string; b: string | null },
): Promise<ReasonCount[]> {
  const value = cohortValueSql(input.by);
  const inB = input.b === null ? Prisma.sql`${value} <> ${input.a}` : Prisma.sql`${value} = ${input.b}`;
  return db.$queryRaw<ReasonCount[]>`
    SELECT CASE WHEN r.kind = 'connect_failed' THEN 'refusal' ELSE 'drop' END AS kind, r.reason::text AS reason,
           COALESCE(SUM(r.count) FILTER (WHERE ${value} = ${input.a}), 0)::float8 AS a,
           COALESCE(SUM(r.count) FILTER (WHERE ${inB}), 0)::float8 AS b
    FROM device_reason_minute r
    JOIN devices d ON d.id = r.device_id
    WHERE r.bucket >= ${input.from} AND r.bucket < ${input.end} AND ((${DROP_CONDITION}) OR (${REFUSAL_CONDITION}))
      ${deviceMetadataConditions(input.filter)} ${scopeConditions(input.filter, "r")}
    GROUP BY 1, 2`;
}
