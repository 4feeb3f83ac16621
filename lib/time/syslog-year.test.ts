import { describe, expect, it } from "vitest";
import { createSyslogYearReader, type YearlessTime } from "./syslog-year.ts";

const time = (month: number, day: number, hour = 12, minute = 0, second = 0): YearlessTime => ({ month, day, hour, minute, second, ms: 0 });
const iso = (placed: { at: Date } | null) => placed?.at.toISOString();

describe("createSyslogYearReader", () => {
  it("places a line in the reference's year, or the year before when that is more than a day ahead of it", () => {
    const reference = new Date("2026-12-04T23:40:00Z");
    expect(iso(createSyslogYearReader({ reference }).place(time(11, 4, 23, 30, 56)))).toBe("2026-12-04T23:30:56.000Z");
    expect(iso(createSyslogYearReader({ reference }).place(time(11, 5, 20)))).toBe("2026-12-05T20:00:00.000Z");
    expect(iso(createSyslogYearReader({ reference }).place(time(11, 6, 1)))).toBe("2025-12-06T01:00:00.000Z");
  });

  it("places Jan 1 in the next year when the reference is the evening of Dec 31", () => {
    const reference = new Date("2026-12-31T22:00:00Z");
    expect(iso(createSyslogYearReader({ reference }).place(time(0, 1, 0, 30)))).toBe("2027-01-01T00:30:00.000Z");
  });

  it("keeps a file monotonic across New Year: Dec 30 to Jan 2 gets two years", () => {
    const reader = createSyslogYearReader({ reference: new Date("2027-01-02T13:00:00Z") });
    const placed = [time(11, 30), time(11, 31, 23, 59, 59), time(0, 1, 0, 0, 1), time(11, 31, 23, 59, 58), time(0, 2, 12)].map((t) =>
      iso(reader.place(t)),
    );
    expect(placed).toEqual([
      "2026-12-30T12:00:00.000Z",
      "2026-12-31T23:59:59.000Z",
      "2027-01-01T00:00:01.000Z",
      // A late line from the old year stays in it.
      "2026-12-31T23:59:58.000Z",
      "2027-01-02T12:00:00.000Z",
    ]);
  });

  it("uses the year the user gives for the first line, and rolls over from it", () => {
    const reader = createSyslogYearReader({ reference: new Date("2026-06-01T00:00:00Z"), year: 2024 });
    expect(reader.place(time(11, 31))).toEqual({ at: new Date("2024-12-31T12:00:00Z"), flag: "year_given_at_import" });
    expect(reader.place(time(0, 1))).toEqual({ at: new Date("2025-01-01T12:00:00Z"), flag: "year_given_at_import" });
  });

  it("flags inferred years; reads the device's zone; refuses dates no year has", () => {
    const reader = createSyslogYearReader({ reference: new Date("2026-12-04T23:40:00Z") });
    expect(reader.place(time(11, 4, 10), 60)).toEqual({ at: new Date("2026-12-04T09:00:00Z"), flag: "year_inferred" });
    expect(createSyslogYearReader({ reference: new Date("2026-12-04T00:00:00Z") }).place(time(1, 30))).toBeNull();
    expect(iso(createSyslogYearReader({ reference: new Date("2026-12-04T00:00:00Z") }).place(time(1, 29)))).toBe(
      "2024-02-29T12:00:00.000Z",
    );
  });
});
