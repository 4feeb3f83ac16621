import { describe, expect, it } from "vitest";
import { splitAtHours } from "./split-at-hours.ts";

const at = (iso: string) => new Date(`2026-11-20T${iso}Z`);
const ranges = (list: { from: Date; to: Date }[]) =>
  list.map((r) => `${r.from.toISOString().slice(11, 16)}-${r.to.toISOString().slice(11, 16)}`);

describe("splitAtHours", () => {
  it("reads whole hours in the middle and minutes at both edges", () => {
    const split = splitAtHours([at("01:17:00"), at("05:42:00")]);
    expect(ranges(split.hours)).toEqual(["02:00-05:00"]);
    expect(ranges(split.minutes)).toEqual(["01:17-02:00", "05:00-05:42"]);
  });

  it("keeps a range inside one hour in minutes", () => {
    const split = splitAtHours([at("01:17:00"), at("01:59:00")]);
    expect(split.hours).toEqual([]);
    expect(ranges(split.minutes)).toEqual(["01:17-01:59"]);
  });

  it("needs no minutes for a range on hour boundaries", () => {
    const split = splitAtHours([at("01:00:00"), at("04:00:00")]);
    expect(ranges(split.hours)).toEqual(["01:00-04:00"]);
    expect(split.minutes).toEqual([]);
  });

  it("never lets an hour cross a cut between two ranges", () => {
    const split = splitAtHours([at("00:30:00"), at("02:30:00"), at("04:30:00")]);
    expect(ranges(split.hours)).toEqual(["01:00-02:00", "03:00-04:00"]);
    expect(ranges(split.minutes)).toEqual(["00:30-01:00", "02:00-02:30", "02:30-03:00", "04:00-04:30"]);
  });
});
