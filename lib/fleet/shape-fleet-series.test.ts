import { describe, expect, it } from "vitest";
import { binStarts, chooseInterval, previousPeriod } from "./fleet-interval.ts";
import { computeChange, shapeBreakdown, shapeDisconnectSeries } from "./shape-fleet-series.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);
const range = (hours: number, fromIso = "2026-11-01T00:00:00Z") => ({
  from: at(fromIso),
  to: new Date(at(fromIso).getTime() + hours * HOUR),
});

describe("chooseInterval", () => {
  it.each([
    [1, MIN],
    [6, 2 * MIN],
    [24, 10 * MIN],
    [7 * 24, HOUR],
    [14 * 24, 2 * HOUR],
    [30 * 24, 6 * HOUR],
    [90 * 24, 12 * HOUR],
  ])("picks the smallest step with at most 200 points for %i h", (hours, step) => {
    expect(chooseInterval(range(hours))).toBe(step);
    expect(binStarts(range(hours), step).length).toBeLessThanOrEqual(200);
  });

  it("counts a partial first and last bin when the range is not aligned", () => {
    const r = { from: at("2026-11-01T00:07:00Z"), to: at("2026-11-01T01:07:00Z") };
    expect(binStarts(r, 10 * MIN).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      "00:00",
      "00:10",
      "00:20",
      "00:30",
      "00:40",
      "00:50",
      "01:00",
    ]);
  });

  it("falls back to a wider step beyond a day per point", () => {
    expect(
      chooseInterval({ from: at("2026-01-01T00:00:00Z"), to: new Date(at("2026-01-01T00:00:00Z").getTime() + 400 * DAY) }),
    ).toBeGreaterThan(DAY);
  });
});

describe("shapeDisconnectSeries", () => {
  it("fills empty bins with zeros and orders reasons by count", () => {
    const series = shapeDisconnectSeries(
      [
        { t: "2026-11-01T00:00:00Z", reason: "keepalive_timeout", count: 1 },
        { t: "2026-11-01T00:30:00Z", reason: "connection_lost", count: 4 },
        { t: "2026-11-01T05:00:00Z", reason: "connection_lost", count: 9 },
      ],
      range(1),
      30 * MIN,
    );
    expect(series.reasons).toEqual(["connection_lost", "keepalive_timeout"]);
    expect(series.total).toBe(5);
    expect(series.bars).toEqual([
      { t: "2026-11-01T00:00:00.000Z", total: 1, keepalive_timeout: 1, connection_lost: 0 },
      { t: "2026-11-01T00:30:00.000Z", total: 4, connection_lost: 4, keepalive_timeout: 0 },
    ]);
  });
});

describe("change vs previous period", () => {
  it("is the previous equal-length window", () => {
    expect(previousPeriod(range(24))).toEqual({ from: at("2026-10-31T00:00:00Z"), to: at("2026-11-01T00:00:00Z") });
  });

  it("gives a ratio only when the previous period had some", () => {
    expect(computeChange(15, 10)).toEqual({ previous: 10, delta: 5, ratio: 0.5 });
    expect(computeChange(3, 0)).toEqual({ previous: 0, delta: 3, ratio: null });
    expect(computeChange(0, 4)).toEqual({ previous: 4, delta: -4, ratio: -1 });
  });

  it("shapes breakdown rows into shares, sparklines and changes; keys seen only before the range are not items", () => {
    const items = shapeBreakdown(
      [
        { key: "emqx:tcp_closed", t: "2026-11-01T00:00:00Z", disconnects: 2, failedConnects: 0 },
        { key: "emqx:tcp_closed", t: "2026-11-01T00:30:00Z", disconnects: 4, failedConnects: 0 },
        { key: "emqx:tcp_closed", t: null, disconnects: 3, failedConnects: 0 },
        { key: "", t: "2026-11-01T00:30:00Z", disconnects: 1, failedConnects: 1 },
        { key: "connack:5", t: null, disconnects: 0, failedConnects: 7 },
      ],
      range(1),
      30 * MIN,
    );
    expect(items).toEqual([
      {
        key: "emqx:tcp_closed",
        disconnects: 6,
        failedConnects: 0,
        total: 6,
        share: 0.75,
        change: { previous: 3, delta: 3, ratio: 1 },
        sparkline: [2, 4],
      },
      {
        key: null,
        disconnects: 1,
        failedConnects: 1,
        total: 2,
        share: 0.25,
        change: { previous: 0, delta: 2, ratio: null },
        sparkline: [0, 2],
      },
    ]);
  });
});
