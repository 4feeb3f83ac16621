import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount, SqlNumber } from "@/lib/db/sql-values.ts";
import { deviceMetadataConditions, scopeConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { cohortValueSql, formatCohortDimension, type CohortDimension } from "./cohort-dimension.ts";
import { ensureCohortsFolded } from "./ensure-cohorts-folded.ts";
import { compareRates, verdictOf, type RateRatio, type RateVerdict } from "./rate-ratio.ts";
import {
  CONFIDENCE,
  compareCohorts,
  rankReasonDifferences,
  sumTotals,
  withRates,
  type CohortComparison,
  type CohortRates,
  type CohortTotals,
  type ReasonCount,
  type ReasonDifference,
} from "./shape-cohorts.ts";

/** Most cohorts listed (by device-hours); the rest of the fleet still counts as "the rest" in every comparison. */
export const MAX_COHORTS = 50;

const HOUR_MS = 3_600_000;

const CohortTotalsRow = z.object({
  value: z.string(),
  devices: SqlCount,
  drops: SqlNumber,
  refusals: SqlNumber,
  exposureHours: SqlNumber,
  connectedHours: SqlNumber,
});
const ReasonCountRow = z.object({ kind: z.enum(["drop", "refusal"]), reason: z.string(), a: SqlNumber, b: SqlNumber });

export type CohortRange = { from: Date; to: Date; filter: FleetFilter; now?: Date };

export type CohortList = { level: number; total: CohortRates; cohorts: CohortComparison[]; truncated: boolean };

/** Rates per device-hour of every cohort in the range, each against the rest of the fleet in view. */
export async function listCohorts(db: Db, input: CohortRange & { by: CohortDimension }): Promise<CohortList> {
  const rows = await sumCohorts(db, input);
  const shown = rows.slice(0, MAX_COHORTS);
  const hidden = rows.slice(MAX_COHORTS);
  const compared = compareCohorts(hidden.length > 0 ? [...shown, sumTotals("(other)", hidden)] : shown);
  return { ...compared, cohorts: compared.cohorts.slice(0, shown.length), truncated: hidden.length > 0 };
}

export type CohortPair = {
  level: number;
  a: CohortRates;
  /** B, or every device in view outside A when no B is named (value null). */
  b: Omit<CohortRates, "value"> & { value: string | null };
  dropRatio: RateRatio;
  refusalRatio: RateRatio;
  verdict: RateVerdict;
  reasons: ReasonDifference[];
};

/** Cohort A against cohort B (or the rest): both rates with exact intervals, and the reasons that differ most. */
export async function compareCohortPair(
  db: Db,
  input: CohortRange & { by: CohortDimension; a: string; b: string | null },
): Promise<CohortPair> {
  const rows = await sumCohorts(db, input);
  const empty: CohortTotals = { value: input.a, devices: 0, drops: 0, refusals: 0, exposureHours: 0, connectedHours: 0 };
  const a = rows.find((row) => row.value === input.a) ?? empty;
  const bRows = rows.filter((row) => row.value !== input.a && (input.b === null || row.value === input.b));
  const b = sumTotals(input.b ?? "", bRows);
  const dropRatio = compareRates(
    { events: a.drops, exposureHours: a.exposureHours },
    { events: b.drops, exposureHours: b.exposureHours },
    CONFIDENCE,
  );
  const refusalRatio = compareRates(
    { events: a.refusals, exposureHours: a.exposureHours },
    { events: b.refusals, exposureHours: b.exposureHours },
    CONFIDENCE,
  );
  const counts = await countReasonsBySide(db, input);
  return {
    level: CONFIDENCE,
    a: withRates(a),
    b: { ...withRates(b), value: input.b },
    dropRatio,
    refusalRatio,
    verdict: verdictOf(dropRatio),
    reasons: rankReasonDifferences(counts, { a: a.exposureHours, b: b.exposureHours }),
  };
}

function endOf(input: CohortRange): Date {
  const now = input.now ?? new Date();
  return input.to < now ? input.to : now;
}

/** Hour buckets overlapping [from, end): cohorts are read from hourly rollups, so partial edge hours count whole. */
function bucketRange(input: CohortRange): { from: Date; end: Date } | null {
  const end = endOf(input);
  if (end <= input.from) return null;
  return { from: new Date(Math.floor(input.from.getTime() / HOUR_MS) * HOUR_MS), end };
}

/**
 * Which rollup answers, as its presence and reason tables, the cohort value of a row `d` and the conditions on it.
 * cohort_hour keeps one dimension at a time: it answers source / broker-node filters and a filter on the grouped
 * dimension. Any other metadata filter (cohorts by label within a region, by firmware within a network and a label)
 * reads the profile rollup, whose rows carry the whole metadata the devices had, and groups by the dimension there.
 */
function cohortRollup(input: { by: CohortDimension; filter: FleetFilter }): {
  presence: Prisma.Sql;
  reasons: Prisma.Sql;
  value: Prisma.Sql;
  where: Prisma.Sql;
} {
  const { by, filter } = input;
  if (!filtersOtherDimension(input)) {
    const own = by.kind === "label" ? filter.labels?.[by.key] : filter[by.kind];
    return {
      presence: Prisma.sql`cohort_hour`,
      reasons: Prisma.sql`cohort_reason_hour`,
      value: Prisma.sql`d.value`,
      where: Prisma.sql`d.dimension = ${formatCohortDimension(by)} ${own === undefined ? Prisma.empty : Prisma.sql`AND d.value = ${own}`} ${scopeConditions(filter, "d")}`,
    };
  }
  // A device without the grouped label is in no cohort of it, as in cohort_hour.
  const hasLabel = by.kind === "label" ? Prisma.sql`AND d.labels ->> ${by.key} IS NOT NULL` : Prisma.empty;
  return {
    presence: Prisma.sql`cohort_profile_hour`,
    reasons: Prisma.sql`cohort_profile_reason_hour`,
    value: cohortValueSql(by),
    where: Prisma.sql`true ${hasLabel} ${deviceMetadataConditions(filter)} ${scopeConditions(filter, "d")}`,
  };
}

function filtersOtherDimension(input: { by: CohortDimension; filter: FleetFilter }): boolean {
  const { filter, by } = input;
  const labelKeys = Object.keys(filter.labels ?? {});
  return (
    (filter.firmware !== undefined && by.kind !== "firmware") ||
    (filter.region !== undefined && by.kind !== "region") ||
    (filter.network !== undefined && by.kind !== "network") ||
    labelKeys.some((key) => by.kind !== "label" || by.key !== key)
  );
}

async function sumCohorts(db: Db, input: CohortRange & { by: CohortDimension }): Promise<CohortTotals[]> {
  const range = bucketRange(input);
  if (!range) return [];
  await ensureCohortsFolded(db);
  const rollup = cohortRollup(input);
  const where = Prisma.sql`${rollup.where} AND d.bucket >= ${range.from} AND d.bucket < ${range.end}`;
  // Devices: the most present in any one hour of the range (an hourly rollup cannot count distinct devices over days).
  return queryRows(
    db,
    "sumCohorts",
    CohortTotalsRow,
    Prisma.sql`
    WITH hourly AS (
      SELECT ${rollup.value} AS value, d.bucket, SUM(d.devices) AS devices, SUM(d.exposure_s) AS exposure_s,
             SUM(LEAST(d.connected_s, d.exposure_s)) AS connected_s
      FROM ${rollup.presence} d WHERE ${where}
      GROUP BY 1, 2
    ), presence AS (
      SELECT value, MAX(devices) AS devices, SUM(exposure_s) AS exposure_s, SUM(connected_s) AS connected_s FROM hourly GROUP BY 1
    ), events AS (
      SELECT ${rollup.value} AS value, SUM(d.count) FILTER (WHERE d.kind = 'disconnected') AS drops,
             SUM(d.count) FILTER (WHERE d.kind = 'connect_failed') AS refusals
      FROM ${rollup.reasons} d WHERE ${where}
      GROUP BY 1
    )
    SELECT value, COALESCE(p.devices, 0)::int AS devices, COALESCE(e.drops, 0)::float8 AS drops,
           COALESCE(e.refusals, 0)::float8 AS refusals, (COALESCE(p.exposure_s, 0) / 3600)::float8 AS "exposureHours",
           (COALESCE(p.connected_s, 0) / 3600)::float8 AS "connectedHours"
    FROM presence p FULL JOIN events e USING (value)
    ORDER BY "exposureHours" DESC, value`,
  );
}

async function countReasonsBySide(
  db: Db,
  input: CohortRange & { by: CohortDimension; a: string; b: string | null },
): Promise<ReasonCount[]> {
  const range = bucketRange(input);
  if (!range) return [];
  const rollup = cohortRollup(input);
  const inB = input.b === null ? Prisma.sql`${rollup.value} <> ${input.a}` : Prisma.sql`${rollup.value} = ${input.b}`;
  return queryRows(
    db,
    "countReasonsBySide",
    ReasonCountRow,
    Prisma.sql`
    SELECT CASE WHEN d.kind = 'connect_failed' THEN 'refusal' ELSE 'drop' END AS kind, d.reason::text AS reason,
           COALESCE(SUM(d.count) FILTER (WHERE ${rollup.value} = ${input.a}), 0)::float8 AS a,
           COALESCE(SUM(d.count) FILTER (WHERE ${inB}), 0)::float8 AS b
    FROM ${rollup.reasons} d
    WHERE ${rollup.where} AND d.bucket >= ${range.from} AND d.bucket < ${range.end}
    GROUP BY 1, 2`,
  );
}
