import { describe, expect, it } from "vitest";
import { compareRates, familyWiseLevel, ratePerHour, regularizedBeta, verdictOf } from "./rate-ratio.ts";

// Reference values: scipy.stats.beta (Clopper–Pearson bounds for p mapped to the rate ratio).
describe("compareRates", () => {
  it("matches the exact interval for equal counts and exposure", () => {
    const result = compareRates({ events: 10, exposureHours: 100 }, { events: 10, exposureHours: 100 });
    expect(result.ratio).toBe(1);
    expect(result.low).toBeCloseTo(0.373547, 5);
    expect(result.high).toBeCloseTo(2.67704, 4);
    expect(verdictOf(result)).toBe("no_difference");
  });

  it("does not flag twice the rate on a handful of events, and flags it on hundreds", () => {
    const few = compareRates({ events: 20, exposureHours: 50 }, { events: 10, exposureHours: 50 });
    expect(few.ratio).toBe(2);
    expect(few.low).toBeCloseTo(0.893509, 5);
    expect(few.high).toBeCloseTo(4.78455, 4);
    expect(verdictOf(few)).toBe("no_difference");

    const many = compareRates({ events: 200, exposureHours: 50 }, { events: 100, exposureHours: 50 });
    expect(many.low).toBeCloseTo(1.565468, 5);
    expect(many.high).toBeCloseTo(2.568818, 5);
    expect(verdictOf(many)).toBe("worse");
  });

  it("scales by exposure: the same counts over a tenth of the device-hours are a tenfold rate", () => {
    const result = compareRates({ events: 10, exposureHours: 10 }, { events: 10, exposureHours: 100 });
    expect(result.ratio).toBeCloseTo(10, 10);
    expect(result.low).toBeCloseTo(3.73547, 4);
    expect(verdictOf(result)).toBe("worse");
  });

  it("handles zero counts on either side and a wider level", () => {
    const none = compareRates({ events: 0, exposureHours: 100 }, { events: 5, exposureHours: 100 });
    expect(none).toMatchObject({ ratio: 0, low: 0 });
    expect(none.high).toBeCloseTo(1.091279, 5);

    const unbounded = compareRates({ events: 3, exposureHours: 100 }, { events: 0, exposureHours: 100 });
    expect(unbounded.ratio).toBeNull();
    expect(unbounded.high).toBeNull();
    expect(unbounded.low).toBeCloseTo(0.413231, 5);

    const wide = compareRates({ events: 7, exposureHours: 1 }, { events: 2, exposureHours: 1 }, 0.99);
    expect(wide.low).toBeCloseTo(0.443822, 5);
    expect(wide.high).toBeCloseTo(81.4838, 3);

    expect(compareRates({ events: 0, exposureHours: 5 }, { events: 0, exposureHours: 5 })).toMatchObject({
      ratio: null,
      low: 0,
      high: null,
    });
    expect(compareRates({ events: 4, exposureHours: 0 }, { events: 1, exposureHours: 5 }).ratio).toBeNull();
  });

  it("says better when the whole interval lies below 1", () => {
    expect(verdictOf(compareRates({ events: 50, exposureHours: 100 }, { events: 200, exposureHours: 100 }))).toBe("better");
  });
});

describe("helpers", () => {
  it("computes the regularized incomplete beta", () => {
    expect(regularizedBeta(0.3, 2.5, 4)).toBeCloseTo(0.352197586, 8);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it("splits the error over the comparisons and rates per hour", () => {
    expect(familyWiseLevel(0.95, 5)).toBeCloseTo(0.99, 12);
    expect(familyWiseLevel(0.95, 0)).toBeCloseTo(0.95, 12);
    expect(ratePerHour({ events: 6, exposureHours: 3 })).toBe(2);
    expect(ratePerHour({ events: 6, exposureHours: 0 })).toBeNull();
  });
});
