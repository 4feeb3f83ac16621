import { describe, expect, it } from "vitest";
import { describeAlertValue } from "./alert-notification.ts";
import type { AlertRuleConfig } from "./alert-rule-config.ts";
import { baselineRanges, baselineSlots, baselineThreshold, DAY_MS, HOUR_MS, mergeRanges, readBaseline } from "./baseline-rate.ts";
import { measureRuleAt } from "./measure-alert-rule.ts";
import { replayRule } from "./replay-alert-rule.ts";
import { createRuleSeries } from "./rule-series.ts";

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 20, 10, 25, 0); // 10:25 UTC

/** `perMinute` events in every minute of 10:00–11:00 UTC on each of `days` days before NOW. */
function sameHourHistory(days: number[], perMinute: number) {
  return days.flatMap((day) => Array.from({ length: 60 }, (_, m) => ({ bucket: Date.UTC(2026, 10, 20 - day, 10, m), value: perMinute })));
}

const rule = (overrides: Partial<AlertRuleConfig> = {}): AlertRuleConfig => ({
  id: "r",
  name: "r",
  kind: "disconnect_rate_above",
  threshold: 1,
  baseline: { multiplier: 3 },
  windowMs: 5 * MINUTE,
  source: null,
  brokerNode: null,
  enabled: true,
  renotifyMs: null,
  excludeDeviceIds: [],
  excludeLabels: [],
  excludeFlapping: false,
  hysteresis: { direction: "above", threshold: 1, clearMargin: 0, forMs: 0, clearForMs: 0 },
  ...overrides,
});

describe("baseline rate", () => {
  it("reads the same UTC hour on each of the previous 7 days", () => {
    const slots = baselineSlots(NOW);
    expect(slots).toHaveLength(7);
    expect(slots[0]).toEqual({ from: Date.UTC(2026, 10, 19, 10), to: Date.UTC(2026, 10, 19, 11) });
    expect(slots[6]).toEqual({ from: Date.UTC(2026, 10, 13, 10), to: Date.UTC(2026, 10, 13, 11) });
  });

  it("averages the events per minute over the days the fleet existed, and none before its history starts", () => {
    const rows = [...sameHourHistory([1, 2, 3], 2), ...sameHourHistory([4, 5, 6, 7], 100)];
    // History starting 3 days ago (before 10:00): the older, busier days predate it and are not counted as quiet or busy.
    const series = createRuleSeries(rows, { historyStart: Date.UTC(2026, 10, 17, 9, 30) });
    expect(readBaseline(series, NOW)).toEqual({ usualPerMinute: 2, days: 3 });
    // A day whose hour only partly follows the start is left out.
    expect(readBaseline(createRuleSeries(rows, { historyStart: Date.UTC(2026, 10, 17, 10, 30) }), NOW)).toEqual({
      usualPerMinute: 2,
      days: 2,
    });
    // All seven days, quiet ones (no rows) included: (3×120 + 4×6000) / (7×60).
    expect(readBaseline(createRuleSeries(rows, { historyStart: 0 }), NOW)).toEqual({ usualPerMinute: 58, days: 7 });
    expect(readBaseline(createRuleSeries([], { historyStart: 0 }), NOW)).toEqual({ usualPerMinute: 0, days: 7 });
  });

  it("has no baseline for a fleet without history at that hour, and then never fires", () => {
    const series = createRuleSeries([{ bucket: NOW - 2 * MINUTE, value: 500 }], { historyStart: Date.UTC(2026, 10, 20, 8) });
    expect(readBaseline(series, NOW)).toEqual({ usualPerMinute: null, days: 0 });
    expect(measureRuleAt(series, rule(), NOW)).toEqual({ value: 100, threshold: Infinity, baseline: { usualPerMinute: null, days: 0 } });
    expect(readBaseline(createRuleSeries([], { historyStart: null }), NOW).usualPerMinute).toBeNull();
    const ticks = Array.from({ length: 20 }, (_, i) => NOW + i * 15_000);
    expect(replayRule(series, rule(), ticks).transitions).toEqual([]);
  });

  it("fires above K × the usual rate but never below the floor", () => {
    expect(baselineThreshold({ usualPerMinute: 2, days: 7 }, 3, 1)).toBe(6);
    expect(baselineThreshold({ usualPerMinute: 0.01, days: 7 }, 3, 1)).toBe(1);
    expect(baselineThreshold({ usualPerMinute: 0, days: 1 }, 10, 0.5)).toBe(0.5);
    expect(baselineThreshold({ usualPerMinute: null, days: 0 }, 3, 1)).toBe(Infinity);

    const history = sameHourHistory([1, 2, 3, 4, 5, 6, 7], 2);
    const burst = Array.from({ length: 5 }, (_, m) => ({ bucket: NOW - (m + 1) * MINUTE, value: 7 }));
    const series = createRuleSeries([...history, ...burst], { historyStart: 0 });
    expect(measureRuleAt(series, rule(), NOW)).toMatchObject({ value: 7, threshold: 6 });
    expect(measureRuleAt(series, rule({ baseline: { multiplier: 4 } }), NOW)).toMatchObject({ value: 7, threshold: 8 });
    // Fixed mode ignores the history.
    expect(measureRuleAt(series, rule({ baseline: null, threshold: 10 }), NOW)).toEqual({ value: 7, threshold: 10, baseline: null });
  });

  it("changes the baseline with the hour of day", () => {
    const busyMornings = sameHourHistory([1, 2, 3, 4, 5, 6, 7], 5);
    const series = createRuleSeries(busyMornings, { historyStart: 0 });
    expect(readBaseline(series, NOW).usualPerMinute).toBe(5);
    expect(readBaseline(series, NOW + HOUR_MS).usualPerMinute).toBe(0);
  });

  it("loads one merged range per day for an instant and one range once the span covers six days", () => {
    expect(baselineRanges(NOW, NOW)).toHaveLength(7);
    expect(mergeRanges(baselineRanges(NOW - 30 * DAY_MS, NOW))).toEqual([
      { from: Date.UTC(2026, 9, 14, 10), to: Date.UTC(2026, 10, 19, 11) },
    ]);
    expect(
      mergeRanges([
        { from: 5, to: 8 },
        { from: 0, to: 5 },
        { from: 10, to: 12 },
      ]),
    ).toEqual([
      { from: 0, to: 8 },
      { from: 10, to: 12 },
    ]);
  });

  it("describes the threshold in force in the history and notifications", () => {
    expect(describeAlertValue(rule(), "fleet", 7, 6)).toBe(
      "7 drops per minute over the last 5 min (all sources); alert above 6 (3 × the usual rate, at least 1)",
    );
    expect(describeAlertValue(rule(), "fleet", 7, Infinity)).toBe(
      "7 drops per minute over the last 5 min (all sources); no baseline yet (needs history at this hour on one of the previous 7 days)",
    );
    expect(describeAlertValue(rule({ baseline: null }), "fleet", 7)).toBe(
      "7 drops per minute over the last 5 min (all sources); alert above 1",
    );
  });
});
