import { describe, expect, it } from "vitest";
import { splitAtBuckets, type TimeRange } from "./split-at-buckets.ts";

const at = (iso: string) => new Date(`2026-11-${iso}Z`);
const ranges = (list: TimeRange[]) => list.map((r) => `${r.from.toISOString().slice(8, 16)}-${r.to.toISOString().slice(8, 16)}`);
const hoursOnly = { quarterDays: false };
const withQuarterDays = { quarterDays: true };

describe("splitAtBuckets", () => {
  it("reads whole hours in the middle and minutes at both edges", () => {
    const split = splitAtBuckets([at("20T01:17:00"), at("20T05:42:00")], withQuarterDays);
    expect(split.quarterDays).toEqual([]);
    expect(ranges(split.hours)).toEqual(["20T02:00-20T05:00"]);
    expect(ranges(split.minutes)).toEqual(["20T01:17-20T02:00", "20T05:00-20T05:42"]);
  });

  it("keeps a range inside one hour in minutes", () => {
    const split = splitAtBuckets([at("20T01:17:00"), at("20T01:59:00")], withQuarterDays);
    expect(split.hours).toEqual([]);
    expect(ranges(split.minutes)).toEqual(["20T01:17-20T01:59"]);
  });

  it("needs no minutes for a range on hour boundaries", () => {
    const split = splitAtBuckets([at("20T01:00:00"), at("20T04:00:00")], hoursOnly);
    expect(ranges(split.hours)).toEqual(["20T01:00-20T04:00"]);
    expect(split.minutes).toEqual([]);
  });

  it("reads quarter days in the middle, hours next to them and minutes at the edges", () => {
    const split = splitAtBuckets([at("20T01:17:00"), at("23T14:42:00")], withQuarterDays);
    expect(ranges(split.quarterDays)).toEqual(["20T06:00-23T12:00"]);
    expect(ranges(split.hours)).toEqual(["20T02:00-20T06:00", "23T12:00-23T14:00"]);
    expect(ranges(split.minutes)).toEqual(["20T01:17-20T02:00", "23T14:00-23T14:42"]);
  });

  it("reads no quarter day when the reader's bins are finer", () => {
    const split = splitAtBuckets([at("20T01:17:00"), at("23T14:42:00")], hoursOnly);
    expect(split.quarterDays).toEqual([]);
    expect(ranges(split.hours)).toEqual(["20T02:00-23T14:00"]);
  });

  it("needs no hours or minutes for a range on quarter-day boundaries", () => {
    const split = splitAtBuckets([at("20T06:00:00"), at("22T00:00:00")], withQuarterDays);
    expect(ranges(split.quarterDays)).toEqual(["20T06:00-22T00:00"]);
    expect(split.hours).toEqual([]);
    expect(split.minutes).toEqual([]);
  });

  it("never lets a bucket cross a cut between two ranges", () => {
    const split = splitAtBuckets([at("20T00:30:00"), at("20T02:30:00"), at("20T04:30:00")], withQuarterDays);
    expect(ranges(split.hours)).toEqual(["20T01:00-20T02:00", "20T03:00-20T04:00"]);
    expect(ranges(split.minutes)).toEqual(["20T00:30-20T01:00", "20T02:00-20T02:30", "20T02:30-20T03:00", "20T04:00-20T04:30"]);
    const days = splitAtBuckets([at("18T03:00:00"), at("20T03:00:00"), at("22T03:00:00")], withQuarterDays);
    expect(ranges(days.quarterDays)).toEqual(["18T06:00-20T00:00", "20T06:00-22T00:00"]);
    expect(ranges(days.hours)).toEqual(["18T03:00-18T06:00", "20T00:00-20T03:00", "20T03:00-20T06:00", "22T00:00-22T03:00"]);
  });
});
