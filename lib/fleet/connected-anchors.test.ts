import { describe, expect, it } from "vitest";
import { connectedAtBinEnds, connectedDeltaRanges } from "./connected-anchors.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string) => new Date(`2026-11-01T${iso}Z`);
const hhmm = (ranges: { from: Date; to: Date }[]) =>
  ranges.map((r) => `${r.from.toISOString().slice(11, 16)}-${r.to.toISOString().slice(11, 16)}`);

describe("connectedDeltaRanges", () => {
  it("needs no minutes where a snapshot ends every bin, only those after the newest snapshot", () => {
    const anchors = [1, 2, 3].map((h) => ({ at: new Date(at("00:00").getTime() + h * HOUR), connected: h }));
    expect(hhmm(connectedDeltaRanges({ from: at("00:00"), to: at("04:30") }, HOUR, anchors))).toEqual(["03:00-04:30"]);
  });

  it("reads within each hour after its snapshot when bins are finer than an hour", () => {
    const anchors = [{ at: at("01:00"), connected: 5 }];
    expect(hhmm(connectedDeltaRanges({ from: at("00:30"), to: at("01:30") }, 10 * MIN, anchors))).toEqual(["00:30-00:50", "01:00-01:30"]);
    expect(hhmm(connectedDeltaRanges({ from: at("00:30"), to: at("01:30") }, 30 * MIN, anchors))).toEqual(["01:00-01:30"]);
  });

  it("reads every minute without snapshots", () => {
    expect(hhmm(connectedDeltaRanges({ from: at("00:00"), to: at("06:00") }, 2 * HOUR, []))).toEqual(["00:00-06:00"]);
  });
});

describe("connectedAtBinEnds", () => {
  it("runs deltas up from the count before the range, one point per bin, gaps carried forward", () => {
    const deltas = new Map([
      [at("00:00").getTime(), 3],
      [at("00:20").getTime(), -4],
    ]);
    expect(connectedAtBinEnds(10, deltas, { from: at("00:00"), to: at("00:30") }, 10 * MIN, [])).toEqual([
      { t: "2026-11-01T00:00:00.000Z", connected: 13 },
      { t: "2026-11-01T00:10:00.000Z", connected: 13 },
      { t: "2026-11-01T00:20:00.000Z", connected: 9 },
    ]);
  });

  it("restarts from a snapshot inside a bin and adds only the deltas after it", () => {
    const anchors = [
      { at: at("02:00"), connected: 40 },
      { at: at("03:00"), connected: 42 },
    ];
    // 6-hour bins over hourly snapshots: the first bin ends after the 03:00 snapshot; the deltas after it (−2) follow.
    const deltas = new Map([[at("00:00").getTime(), -2]]);
    expect(connectedAtBinEnds(30, deltas, { from: at("00:00"), to: at("05:00") }, 6 * HOUR, anchors)).toEqual([
      { t: "2026-11-01T00:00:00.000Z", connected: 40 },
    ]);
  });
});
