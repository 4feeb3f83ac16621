import { compareRates, verdictOf, type RateRatio, type RateVerdict } from "./rate-ratio.ts";
import { CONFIDENCE } from "./shape-cohorts.ts";

export type RolloutPeriodTotals = { exposureHours: number; drops: number; refusals: number; connectedHours: number };

export type RolloutPeriod = RolloutPeriodTotals & {
  dropsPerDeviceHour: number | null;
  refusalsPerDeviceHour: number | null;
  connectedShare: number | null;
};

export type RolloutDevice = {
  deviceId: string;
  movedAt: Date;
  fromFirmware: string;
  beforeHours: number;
  afterHours: number;
  dropsBefore: number;
  dropsAfter: number;
  refusalsBefore: number;
  refusalsAfter: number;
};

export type RolloutSummary = {
  firmware: string;
  spanHours: number;
  level: number;
  /** Devices that moved to the version, and how many of them drop more per hour after than before. */
  devices: number;
  devicesWorse: number;
  before: RolloutPeriod;
  after: RolloutPeriod;
  /** After ÷ before, per device-hour. */
  dropRatio: RateRatio;
  refusalRatio: RateRatio;
  verdict: RateVerdict;
  /** The devices whose drop rate rose most, with their own before and after. */
  topDevices: RolloutDevice[];
};

const EMPTY_PERIOD: RolloutPeriodTotals = { exposureHours: 0, drops: 0, refusals: 0, connectedHours: 0 };

function withRates(period: RolloutPeriodTotals): RolloutPeriod {
  const hours = period.exposureHours;
  return {
    ...period,
    dropsPerDeviceHour: hours > 0 ? period.drops / hours : null,
    refusalsPerDeviceHour: hours > 0 ? period.refusals / hours : null,
    connectedShare: hours > 0 ? Math.min(1, period.connectedHours / hours) : null,
  };
}

export function summarizeRollout(input: {
  firmware: string;
  spanHours: number;
  totals: { before: RolloutPeriodTotals; after: RolloutPeriodTotals; devices: number; worse: number } | null;
  devices: RolloutDevice[];
}): RolloutSummary {
  const before = input.totals?.before ?? EMPTY_PERIOD;
  const after = input.totals?.after ?? EMPTY_PERIOD;
  const dropRatio = compareRates(
    { events: after.drops, exposureHours: after.exposureHours },
    { events: before.drops, exposureHours: before.exposureHours },
    CONFIDENCE,
  );
  const refusalRatio = compareRates(
    { events: after.refusals, exposureHours: after.exposureHours },
    { events: before.refusals, exposureHours: before.exposureHours },
    CONFIDENCE,
  );
  return {
    firmware: input.firmware,
    spanHours: input.spanHours,
    level: CONFIDENCE,
    devices: input.totals?.devices ?? 0,
    devicesWorse: input.totals?.worse ?? 0,
    before: withRates(before),
    after: withRates(after),
    dropRatio,
    refusalRatio,
    verdict: verdictOf(dropRatio),
    topDevices: input.devices,
  };
}
