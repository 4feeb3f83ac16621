import type { Db } from "@/lib/db/client.ts";
import { NO_EXCLUSIONS, type AlertExclusions } from "./alert-exclusions.ts";
import type { AlertRuleConfig } from "./alert-rule-config.ts";
import { baselineThreshold, readBaseline, roundRate, type BaselineReading } from "./baseline-rate.ts";
import { findDevicesOfflineSince, type OfflineDevice } from "./find-offline-devices.ts";
import { MAX_FIRING_DEVICES_PER_RULE } from "./alert-kinds.ts";
import { loadRuleSeries } from "./load-rule-series.ts";
import { gaugeAt, sumBuckets, type RuleSeries } from "./rule-series.ts";

/**
 * A fleet-level value and the threshold it is compared with at that instant: the rule's own threshold, or for a
 * baseline rule K × the usual rate (at least the floor; Infinity while there is no baseline yet).
 */
export type RuleMeasurement = { value: number; threshold: number; baseline: BaselineReading | null };

/**
 * The rule's value at instant t from its loaded rollups: connected devices, drop percent, or drops / code events per
 * minute over the minute buckets that start in [t − window, t). The evaluator (one instant) and the preview (every
 * tick of 30 days) both measure through this function, so a preview replays exactly what the evaluator would see.
 */
export function measureRuleAt(series: RuleSeries, rule: AlertRuleConfig, t: number): RuleMeasurement {
  const fixed = (value: number): RuleMeasurement => ({ value, threshold: rule.threshold, baseline: null });
  switch (rule.kind) {
    case "connected_below":
      return fixed(connectedAt(series, t));
    case "connected_drop_percent": {
      const before = connectedAt(series, t - rule.windowMs);
      const current = connectedAt(series, t);
      return fixed(before === 0 ? 0 : roundRate(Math.max(0, ((before - current) / before) * 100)));
    }
    case "disconnect_rate_above":
    case "code_rate_above": {
      const value = roundRate(sumBuckets(series, t - rule.windowMs, t) / (rule.windowMs / 60_000));
      if (!rule.baseline) return fixed(value);
      const baseline = readBaseline(series, t);
      return { value, threshold: baselineThreshold(baseline, rule.baseline.multiplier, rule.threshold), baseline };
    }
    case "device_offline_longer":
      throw new Error("offline rules are measured per device");
  }
}

/** Excluded devices' sessions come off the gauge by session times, which may not match it to the minute: never below 0. */
function connectedAt(series: RuleSeries, t: number): number {
  return Math.max(0, gaugeAt(series, t));
}

/**
 * The rule's fleet-level measurement at `now` without the devices and minutes the exclusions name; offline rules:
 * how many devices have been offline longer than the threshold.
 */
export async function measureFleetValue(
  db: Db,
  rule: AlertRuleConfig,
  now: Date,
  exclusions: AlertExclusions = NO_EXCLUSIONS,
): Promise<RuleMeasurement> {
  if (rule.kind === "device_offline_longer")
    return { value: (await findOfflineLonger(db, rule, now, exclusions)).total, threshold: rule.threshold, baseline: null };
  return measureRuleAt(await loadRuleSeries(db, rule, { from: now, to: now }, exclusions), rule, now.getTime());
}

/** Devices offline longer than the rule's threshold (minutes), longest first, at most the per-rule cap. */
export function findOfflineLonger(
  db: Db,
  rule: AlertRuleConfig,
  now: Date,
  exclusions: AlertExclusions = NO_EXCLUSIONS,
): Promise<{ devices: OfflineDevice[]; total: number }> {
  return findDevicesOfflineSince(db, {
    excludeDeviceIds: exclusions.deviceIds,
    cutoff: new Date(now.getTime() - rule.threshold * 60_000),
    scope: { source: rule.source, brokerNode: rule.brokerNode },
    limit: MAX_FIRING_DEVICES_PER_RULE,
  });
}

export function offlineMinutes(since: Date, now: Date): number {
  return roundRate((now.getTime() - since.getTime()) / 60_000);
}
