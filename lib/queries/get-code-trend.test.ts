import { describe, expect, it } from "vitest";
import { fillTrendDays } from "./get-code-trend.ts";

describe("fillTrendDays", () => {
  it("has one slot per UTC day with zeros for missing days", () => {
    const day = (d: number) => new Date(Date.UTC(2026, 10, d));
    const filled = fillTrendDays(
      [{ day: day(3), disconnects: 4, failedConnects: 1, other: 0 }],
      new Date(Date.UTC(2026, 10, 1, 13)),
      new Date(Date.UTC(2026, 10, 4, 9)),
    );
    expect(filled.map((slot) => [slot.day.toISOString().slice(0, 10), slot.disconnects])).toEqual([
      ["2026-11-01", 0],
      ["2026-11-02", 0],
      ["2026-11-03", 4],
      ["2026-11-04", 0],
    ]);
  });
});
