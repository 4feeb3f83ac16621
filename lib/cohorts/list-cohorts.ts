import { Prisma, type Db } from "@/lib/db/client.ts";
import { scopeConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { formatCohortDimension, type CohortDimension } from "./cohort-dimension.ts";
import { ensureCohortsFolded } from "./ensure-cohorts-folded.ts";
import { countReasonsPerDevice, sumCohortsPerDevice } from "./sum-cohorts-per-device.ts";
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
 * The hourly cohort rollup keeps one dimension at a time, so it answers source / broker-node filters and a filter
 * on the grouped dimension; another metadata filter (cohorts by label within a region) reads the per-device rollups.
 */
function needsPerDevicePath(input: { by: CohortDimension; filter: FleetFilter }): boolean {
  const { filter, by } = input;
  const labelKeys = Object.keys(filter.labels ?? {});
  return (
    (filter.firmware !== undefined && by.kind !== "firmware") ||
    (filter.region !== undefined && by.kind !== "region") ||
    (filter.network !== undefined && by.kind !== "network") ||
    labelKeys.some((key) => by.kind !== "label" || by.key !== key)
  );
}

/** Conditions on a cohort rollup row `d`: its dimension, a filter on that dimension, source and broker node. */
function cohortRowConditions(input: { by: CohortDimension; filter: FleetFilter }): Prisma.Sql {
  const { by, filter } = input;
  const own = by.kind === "label" ? filter.labels?.[by.key] : filter[by.kind];
  return Prisma.sql`d.dimension = ${formatCohortDimension(by)} ${own === undefined ? Prisma.empty : Prisma.sql`AND d.value = ${own}`} ${scopeConditions(filter, "d")}`;
}

async function sumCohorts(db: Db, input: CohortRange & { by: CohortDimension }): Promise<CohortTotals[]> {
  const range = bucketRange(input);
  if (!range) return [];
  if (needsPerDevicePath(input)) return sumCohortsPerDevice(db, { ...range, from: input.from, filter: input.filter, by: input.by });
  await ensureCohortsFolded(db);
  const where = Prisma.sql`${cohortRowConditions(input)} AND d.bucket >= ${range.from} AND d.bucket < ${range.end}`;
  // Devices: the most present in any one hour of the range (an hourly rollup cannot count distinct devices over days).
  return db.$queryRaw<CohortTotals[]>`
    WITH hourly AS (
      SELECT d.value, d.bucket, SUM(d.devices) AS devices, SUM(d.exposure_s) AS exposure_s,
             SUM(LEAST(d.connected_s, d.exposure_s)) AS connected_s
      FROM cohort_hour d WHERE ${where}
      GROUP BY 1, 2
    ), presence AS (
      SELECT value, MAX(devices) AS devices, SUM(exposure_s) AS exposure_s, SUM(connected_s) AS connected_s FROM hourly GROUP BY 1
    ), events AS (
      SELECT d.value, SUM(d.count) FILTER (WHERE d.kind = 'disconnected') AS drops,
             SUM(d.count) FILTER (WHERE d.kind = 'connect_failed') AS refusals
      FROM cohort_reason_hour d WHERE ${where}
      GROUP BY 1
    )
    SELECT value, COALESCE(p.devices, 0)::int AS devices, COALESCE(e.drops, 0)::float8 AS drops,
           COALESCE(e.refusals, 0)::float8 AS refusals, (COALESCE(p.exposure_s, 0) / 3600)::float8 AS "exposureHours",
           (COALESCE(p.connected_s, 0) / 3600)::float8 AS "connectedHours"
    FROM presence p FULL JOIN events e USING (value)
    ORDER BY "exposureHours" DESC, value`;
}

async function countReasonsBySide(
  db: Db,
  input: CohortRange & { by: CohortDimension; a: string; b: string | null },
): Promise<ReasonCount[]> {
  const range = bucketRange(input);
  if (!range) return [];
  if (needsPerDevicePath(input)) return countReasonsPerDevice(db, { ...input, ...range, from: input.from });
  const inB = input.b === null ? Prisma.sql`d.value <> ${input.a}` : Prisma.sql`d.value = ${input.b}`;
  return db.$queryRaw<ReasonCount[]>`
    SELECT CASE WHEN d.kind = 'connect_failed' THEN 'refusal' ELSE 'drop' END AS kind, d.reason::text AS reason,
           COALESCE(SUM(d.count) FILTER (WHERE d.value = ${input.a}), 0)::float8 AS a,
           COALESCE(SUM(d.count) FILTER (WHERE ${inB}), 0)::float8 AS b
    FROM cohort_reason_hour d
    WHERE ${cohortRowConditions(input)} AND d.bucket >= ${range.from} AND d.bucket < ${range.end}
    GROUP BY 1, 2`;
}
