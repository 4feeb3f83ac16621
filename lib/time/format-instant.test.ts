import { describe, expect, it } from "vitest";
import {
  describeTimeZone,
  formatClock,
  formatDay,
  formatInstant,
  formatZoneOffset,
  localizeTimestamps,
  normalizeTimeZone,
} from "./format-instant.ts";

const WINTER = Date.UTC(2026, 10, 22, 10, 4, 5, 42);
const SUMMER = Date.UTC(2026, 6, 1, 23, 30, 0);

describe("formatInstant", () => {
  it("prints UTC by default, with milliseconds on request", () => {
    expect(formatInstant(WINTER)).toBe("2026-11-22 10:04:05 UTC");
    expect(formatInstant(new Date(WINTER).toISOString(), { milliseconds: true })).toBe("2026-11-22 10:04:05.042 UTC");
  });

  it("prints the wall time and offset of the viewer's zone, daylight saving included", () => {
    expect(formatInstant(WINTER, { timeZone: "Europe/Berlin" })).toBe("2026-11-22 11:04:05 UTC+1");
    expect(formatInstant(SUMMER, { timeZone: "Europe/Berlin" })).toBe("2026-07-02 01:30:00 UTC+2");
    expect(formatInstant(WINTER, { timeZone: "Asia/Kolkata" })).toBe("2026-11-22 15:34:05 UTC+5:30");
    expect(formatInstant(WINTER, { timeZone: "America/New_York" })).toBe("2026-11-22 05:04:05 UTC-5");
  });

  it("falls back to UTC for an unknown zone and prints a dash for an invalid time", () => {
    expect(normalizeTimeZone("Mars/Olympus")).toBe("UTC");
    expect(formatInstant(WINTER, { timeZone: "Mars/Olympus" })).toBe("2026-11-22 10:04:05 UTC");
    expect(formatInstant("not a time")).toBe("—");
  });
});

describe("compact parts", () => {
  it("gives the clock, the day and the zone label in the zone", () => {
    expect(formatClock(SUMMER, "Europe/Berlin")).toBe("01:30");
    expect(formatDay(SUMMER, "Europe/Berlin")).toBe("2026-07-02");
    expect(formatDay(SUMMER)).toBe("2026-07-01");
    expect(describeTimeZone("Europe/Berlin", WINTER)).toBe("UTC+1");
    expect(formatZoneOffset(-210)).toBe("UTC-3:30");
  });
});

describe("localizeTimestamps", () => {
  it("rewrites the UTC and ISO timestamps of a sentence and leaves the rest alone", () => {
    const sentence =
      "All 4 connect attempts since 2026-11-22 10:04:05 UTC were refused; window 2026-11-22T09:00:00.000Z to 2026-11-22T10:00:00.000Z.";
    expect(localizeTimestamps(sentence, "Europe/Berlin")).toBe(
      "All 4 connect attempts since 2026-11-22 11:04:05 UTC+1 were refused; window 2026-11-22 10:00:00 UTC+1 to 2026-11-22 11:00:00 UTC+1.",
    );
    expect(localizeTimestamps(sentence, "UTC")).toBe(
      "All 4 connect attempts since 2026-11-22 10:04:05 UTC were refused; window 2026-11-22 09:00:00 UTC to 2026-11-22 10:00:00 UTC.",
    );
  });
});
