import { compareRates, familyWiseLevel, ratePerHour, verdictOf, type RateRatio, type RateVerdict } from "./rate-ratio.ts";

/** Counts and exposure of one group of devices over a range, as the database sums them. */
export type CohortTotals = {
  value: string;
  devices: number;
  drops: number;
  refusals: number;
  exposureHours: number;
  connectedHours: number;
};

export type CohortRates = CohortTotals & {
  dropsPerDeviceHour: number | null;
  refusalsPerDeviceHour: number | null;
  /** Share of the exposure the devices were connected, 0–1. */
  connectedShare: number | null;
};

export type CohortComparison = CohortRates & {
  /** This cohort against the rest of the fleet in view. */
  dropRatio: RateRatio;
  refusalRatio: RateRatio;
  verdict: RateVerdict;
};

/** Two-sided level every displayed interval is computed at, before splitting it over the comparisons. */
export const CONFIDENCE = 0.95;

export function withRates(totals: CohortTotals): CohortRates {
  return {
    ...totals,
    dropsPerDeviceHour: ratePerHour({ events: totals.drops, exposureHours: totals.exposureHours }),
    refusalsPerDeviceHour: ratePerHour({ events: totals.refusals, exposureHours: totals.exposureHours }),
    connectedShare: totals.exposureHours > 0 ? Math.min(1, totals.connectedHours / totals.exposureHours) : null,
  };
}

export function sumTotals(value: string, rows: readonly CohortTotals[]): CohortTotals {
  const sum = (key: "devices" | "drops" | "refusals" | "exposureHours" | "connectedHours") =>
    rows.reduce((total, row) => total + row[key], 0);
  return {
    value,
    devices: sum("devices"),
    drops: sum("drops"),
    refusals: sum("refusals"),
    exposureHours: sum("exposureHours"),
    connectedHours: sum("connectedHours"),
  };
}

/**
 * Every cohort against the rest of the fleet. The intervals are family-wise (Bonferroni over the cohorts shown),
 * so with many firmware versions one of them does not look worse just because there are many to choose from.
 */
export function compareCohorts(rows: readonly CohortTotals[]): { level: number; total: CohortRates; cohorts: CohortComparison[] } {
  const level = familyWiseLevel(CONFIDENCE, rows.length);
  const total = sumTotals("", rows);
  const cohorts = rows.map((row) => {
    const rest = sumTotals(
      "",
      rows.filter((other) => other !== row),
    );
    const dropRatio = compareRates(
      { events: row.drops, exposureHours: row.exposureHours },
      { events: rest.drops, exposureHours: rest.exposureHours },
      level,
    );
    const refusalRatio = compareRates(
      { events: row.refusals, exposureHours: row.exposureHours },
      { events: rest.refusals, exposureHours: rest.exposureHours },
      level,
    );
    return { ...withRates(row), dropRatio, refusalRatio, verdict: verdictOf(dropRatio) };
  });
  return { level, total: withRates(total), cohorts };
}

export type ReasonCount = { kind: "drop" | "refusal"; reason: string; a: number; b: number };

export type ReasonDifference = ReasonCount & {
  aPerDeviceHour: number;
  bPerDeviceHour: number;
  /** How many more (or fewer) of these A has per 1,000 device-hours than B. */
  excessPer1000DeviceHours: number;
  ratio: RateRatio;
};

/** The reasons whose rates differ most between A and B, by the absolute difference per device-hour. */
export function rankReasonDifferences(counts: readonly ReasonCount[], exposure: { a: number; b: number }, limit = 8): ReasonDifference[] {
  if (exposure.a <= 0 || exposure.b <= 0) return [];
  const level = familyWiseLevel(CONFIDENCE, counts.length);
  return counts
    .map((count) => {
      const aPerDeviceHour = count.a / exposure.a;
      const bPerDeviceHour = count.b / exposure.b;
      return {
        ...count,
        aPerDeviceHour,
        bPerDeviceHour,
        excessPer1000DeviceHours: (aPerDeviceHour - bPerDeviceHour) * 1000,
        ratio: compareRates({ events: count.a, exposureHours: exposure.a }, { events: count.b, exposureHours: exposure.b }, level),
      };
    })
    .sort((x, y) => Math.abs(y.excessPer1000DeviceHours) - Math.abs(x.excessPer1000DeviceHours) || x.reason.localeCompare(y.reason))
    .slice(0, limit);
}
