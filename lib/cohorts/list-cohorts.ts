import { Prisma, type Db } from "@/lib/db/client.ts";
import { deviceMetadataConditions, type FleetFilter } from "@/lib/fleet/fleet-filter.ts";
import { cohortValueSql, type CohortDimension } from "./cohort-dimension.ts";
import { DROP_CONDITION, REFUSAL_CONDITION, seenDevicesSql } from "./device-exposure.ts";
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
export async function compareCohortPair(db: Db, input: CohortRange & { by: CohortDimension; a: string; b: string | null }): Promise<CohortPair> {
  const rows = await sumCohorts(db, input);
  const empty: CohortTotals = { value: input.a, devices: 0, drops: 0, refusals: 0, exposureHours: 0, connectedHours: 0 };
  const a = rows.find((row) => row.value === input.a) ?? empty;
  const bRows = rows.filter((row) => row.value !== input.a && (input.b === null || row.value === input.b));
  const b = sumTotals(input.b ?? "", bRows);
  const dropRatio = compareRates({ events: a.drops, exposureHours: a.exposureHours }, { events: b.drops, exposureHours: b.exposureHours }, CONFIDENCE);
  const refusalRatio = compareRates({ events: a.refusals, exposureHours: a.exposureHours }, { events: b.refusals, exposureHours: b.exposureHours }, CONFIDENCE);
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

async function sumCohorts(db: Db, input: CohortRange & { by: CohortDimension }): Promise<CohortTotals[]> {
  const end = endOf(input);
  if (end <= input.from) return [];
  return db.$queryRaw<CohortTotals[]>`
    ${seenDevicesSql({ from: input.from, end, filter: input.filter })}
    SELECT ${cohortValueSql(input.by)} AS value, COUNT(*)::int AS devices, SUM(d.drops)::float8 AS drops,
           SUM(d.refusals)::float8 AS refusals, (SUM(d.exposure_s) / 3600)::float8 AS "exposureHours",
           (SUM(LEAST(d.connected_s, d.exposure_s)) / 3600)::float8 AS "connectedHours"
    FROM exposed d
    GROUP BY 1
    ORDER BY "exposureHours" DESC, value`;
}

async function countReasonsBySide(db: Db, input: CohortRange & { by: CohortDimension; a: string; b: string | null }): Promise<ReasonCount[]> {
  const end = endOf(input);
  if (end <= input.from) return [];
  const value = cohortValueSql(input.by);
  const inB = input.b === null ? Prisma.sql`${value} <> ${input.a}` : Prisma.sql`${value} = ${input.b}`;
  return db.$queryRaw<ReasonCount[]>`
    SELECT CASE WHEN r.kind = 'connect_failed' THEN 'refusal' ELSE 'drop' END AS kind, r.reason::text AS reason,
           COALESCE(SUM(r.count) FILTER (WHERE ${value} = ${input.a}), 0)::float8 AS a,
           COALESCE(SUM(r.count) FILTER (WHERE ${inB}), 0)::float8 AS b
    FROM device_reason_minute r
    JOIN devices d ON d.id = r.device_id
    WHERE r.bucket >= ${input.from} AND r.bucket < ${end} AND ((${DROP_CONDITION}) OR (${REFUSAL_CONDITION}))
      ${deviceMetadataConditions(input.filter)}
    GROUP BY 1, 2`;
}
