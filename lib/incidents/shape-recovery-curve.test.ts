import { describe, expect, it } from "vitest";
import { shapeRecoveryCurve } from "./shape-recovery-curve.ts";

const START = new Date("2026-11-01T10:00:00Z");
const at = (seconds: number) => new Date(START.getTime() + seconds * 1_000);

describe("shapeRecoveryCurve", () => {
  it("counts devices back online at each step and ends at the last reconnect", () => {
    const curve = shapeRecoveryCurve(START, [at(5), at(10), at(30), null], 4);
    expect(curve).toMatchObject({ affected: 4, reconnected: 3 });
    expect(curve.points).toEqual([
      { offsetMs: 0, reconnected: 0 },
      { offsetMs: 10_000, reconnected: 2 },
      { offsetMs: 20_000, reconnected: 2 },
      { offsetMs: 30_000, reconnected: 3 },
    ]);
  });

  it("has no points when no device reconnected", () => {
    expect(shapeRecoveryCurve(START, [null, null])).toEqual({ affected: 2, reconnected: 0, points: [] });
  });
});
