import { describe, expect, it } from "vitest";
import { DAY_MS, floorToMinute, HOUR_MS, MINUTE_MS } from "./durations.ts";

describe("durations", () => {
  it("floors to the start of the minute, also before 1970", () => {
    expect(floorToMinute(Date.parse("2026-11-22T10:15:59.999Z"))).toBe(Date.parse("2026-11-22T10:15:00Z"));
    expect(floorToMinute(Date.parse("2026-11-22T10:15:00Z"))).toBe(Date.parse("2026-11-22T10:15:00Z"));
    expect(floorToMinute(-1)).toBe(-MINUTE_MS);
    expect(DAY_MS).toBe(24 * HOUR_MS);
  });
});
