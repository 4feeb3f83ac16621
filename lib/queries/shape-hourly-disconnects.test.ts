import { describe, expect, it } from "vitest";
import { shapeHourlyDisconnects } from "./shape-hourly-disconnects.ts";

const range = { from: new Date("2026-11-22T09:30:00Z"), to: new Date("2026-11-22T12:30:00Z") };

describe("shapeHourlyDisconnects", () => {
  it("emits one bar per hour touching the range, zero-filled", () => {
    const series = shapeHourlyDisconnects([], range);
    expect(series.bars.map((bar) => bar.hour)).toEqual([
      "2026-11-22T09:00:00.000Z",
      "2026-11-22T10:00:00.000Z",
      "2026-11-22T11:00:00.000Z",
      "2026-11-22T12:00:00.000Z",
    ]);
    expect(series.bars.every((bar) => bar.total === 0)).toBe(true);
    expect(series.reasons).toEqual([]);
    expect(series.total).toBe(0);
  });

  it("stacks counts by reason, orders reasons by frequency and fills missing reasons with 0", () => {
    const series = shapeHourlyDisconnects(
      [
        { hour: new Date("2026-11-22T10:00:00Z"), reason: "keepalive_timeout", count: 3 },
        { hour: "2026-11-22T10:00:00.000Z", reason: "connection_lost", count: 1 },
        { hour: "2026-11-22T12:00:00.000Z", reason: "connection_lost", count: 4 },
      ],
      range,
    );
    expect(series.reasons).toEqual(["connection_lost", "keepalive_timeout"]);
    expect(series.total).toBe(8);
    expect(series.bars[1]).toEqual({ hour: "2026-11-22T10:00:00.000Z", total: 4, keepalive_timeout: 3, connection_lost: 1 });
    expect(series.bars[3]).toEqual({ hour: "2026-11-22T12:00:00.000Z", total: 4, keepalive_timeout: 0, connection_lost: 4 });
    expect(series.bars[0]).toEqual({ hour: "2026-11-22T09:00:00.000Z", total: 0, keepalive_timeout: 0, connection_lost: 0 });
  });

  it("ignores rows outside the range and non-positive counts", () => {
    const series = shapeHourlyDisconnects(
      [
        { hour: "2026-11-22T08:00:00.000Z", reason: "throttled", count: 9 },
        { hour: "2026-11-22T13:00:00.000Z", reason: "throttled", count: 9 },
        { hour: "2026-11-22T10:00:00.000Z", reason: "unknown", count: 0 },
      ],
      range,
    );
    expect(series.total).toBe(0);
    expect(series.reasons).toEqual([]);
  });

  it("merges rows for the same hour and reason", () => {
    const series = shapeHourlyDisconnects(
      [
        { hour: "2026-11-22T11:00:00.000Z", reason: "tls_error", count: 2 },
        { hour: "2026-11-22T11:00:00.000Z", reason: "tls_error", count: 5 },
      ],
      range,
    );
    expect(series.bars[2]?.tls_error).toBe(7);
  });
});
