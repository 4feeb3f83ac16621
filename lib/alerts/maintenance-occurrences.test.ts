import { describe, expect, it } from "vitest";
import { findNextOccurrence, findOpenOccurrence, listMaintenanceOccurrences, type MaintenanceSchedule } from "./maintenance-occurrences.ts";

const at = (iso: string) => new Date(iso);
const nightly: MaintenanceSchedule = { recurrence: "daily", startsAt: at("2026-11-01T02:00:00Z"), durationMs: 15 * 60_000, until: null };

describe("maintenance window occurrences", () => {
  it("opens a daily window at 02:00–02:15 UTC every day and nowhere else", () => {
    expect(findOpenOccurrence(nightly, at("2026-12-02T02:05:00Z"))).toEqual({
      from: at("2026-12-02T02:00:00Z"),
      to: at("2026-12-02T02:15:00Z"),
    });
    expect(findOpenOccurrence(nightly, at("2026-12-02T02:15:00Z"))).toBeNull();
    expect(findOpenOccurrence(nightly, at("2026-12-02T01:59:59Z"))).toBeNull();
    expect(findOpenOccurrence(nightly, at("2026-10-31T02:05:00Z"))).toBeNull();
  });

  it("lists the occurrences overlapping a range, including one already open at its start", () => {
    const list = listMaintenanceOccurrences(nightly, at("2026-12-02T02:10:00Z"), at("2026-12-04T02:00:00Z"));
    expect(list.map((o) => o.from.toISOString())).toEqual(["2026-12-02T02:00:00.000Z", "2026-12-03T02:00:00.000Z"]);
  });

  it("repeats weekly windows every seven days and stops after `until`", () => {
    const weekly: MaintenanceSchedule = {
      recurrence: "weekly",
      startsAt: at("2026-11-01T22:00:00Z"),
      durationMs: 3_600_000,
      until: at("2026-11-20T00:00:00Z"),
    };
    expect(
      listMaintenanceOccurrences(weekly, at("2026-11-01T00:00:00Z"), at("2026-12-31T00:00:00Z")).map((o) => o.from.toISOString()),
    ).toEqual(["2026-11-01T22:00:00.000Z", "2026-11-08T22:00:00.000Z", "2026-11-15T22:00:00.000Z"]);
  });

  it("finds the next occurrence of one-off and recurring windows", () => {
    const once: MaintenanceSchedule = { recurrence: "once", startsAt: at("2026-12-05T10:00:00Z"), durationMs: 600_000, until: null };
    expect(findNextOccurrence(once, at("2026-12-02T00:00:00Z"))?.from).toEqual(at("2026-12-05T10:00:00Z"));
    expect(findNextOccurrence(once, at("2026-12-05T10:10:00Z"))).toBeNull();
    expect(findNextOccurrence(nightly, at("2026-12-02T03:00:00Z"))?.from).toEqual(at("2026-12-03T02:00:00Z"));
  });
});
