import { describe, expect, it } from "vitest";
import { DEFAULT_HISTORY_DAYS, historyDaysToLoad } from "./first-start-history.ts";

describe("the days of simulated history a first start loads", () => {
  it("are the default only when the simulated fleet runs: a real broker's database gets no invented devices", () => {
    expect(historyDaysToLoad({ configuredDays: undefined, simulatorRuns: true })).toBe(DEFAULT_HISTORY_DAYS);
    expect(historyDaysToLoad({ configuredDays: undefined, simulatorRuns: false })).toBe(0);
  });

  it("follow an explicit setting either way", () => {
    expect(historyDaysToLoad({ configuredDays: 3, simulatorRuns: false })).toBe(3);
    expect(historyDaysToLoad({ configuredDays: 0, simulatorRuns: true })).toBe(0);
  });
});
