import { describe, expect, it } from "vitest";
import { createRuleSeries, gaugeAt, sumBefore, sumBuckets } from "./rule-series.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 20, 10, 0);

describe("rule series", () => {
  const counts = createRuleSeries([
    { bucket: T0 + 2 * MINUTE, value: 3 },
    { bucket: T0, value: 1 },
    { bucket: T0 + 5 * MINUTE, value: 10 },
  ]);

  it("sums the buckets that start in [from, to)", () => {
    expect(sumBuckets(counts, T0, T0 + 5 * MINUTE)).toBe(4);
    expect(sumBuckets(counts, T0, T0 + 5 * MINUTE + 1)).toBe(14);
    expect(sumBuckets(counts, T0 + 1, T0 + 3 * MINUTE)).toBe(3);
    expect(sumBuckets(counts, T0 + 6 * MINUTE, T0)).toBe(0);
    expect(sumBefore(counts, T0 - MINUTE)).toBe(0);
  });

  it("reads a gauge at an instant, its bucket included, from the deltas and the sum before them", () => {
    const gauge = createRuleSeries(
      [
        { bucket: T0, value: -2 },
        { bucket: T0 + MINUTE, value: 5 },
      ],
      { initial: 10 },
    );
    expect(gaugeAt(gauge, T0 - 1)).toBe(10);
    expect(gaugeAt(gauge, T0)).toBe(8);
    expect(gaugeAt(gauge, T0 + 30_000)).toBe(8);
    expect(gaugeAt(gauge, T0 + MINUTE)).toBe(13);
  });
});
