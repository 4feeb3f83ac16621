import { describe, expect, it } from "vitest";
import { buildDeviceSample } from "./device-sample.ts";
import { shapeVitalsSeries } from "./shape-vitals-series.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));

describe("shapeVitalsSeries", () => {
  it("averages readings per bucket and turns publish counts into a rate per minute, skipping restarts", () => {
    const samples = [
      buildDeviceSample({ deviceId: "d", series: "a", at: at(0), vitals: { rssiDbm: -60, batteryPct: 90 }, publishedMessages: 0 }),
      buildDeviceSample({ deviceId: "d", series: "a", at: at(1), vitals: { rssiDbm: -70 }, publishedMessages: 30 }),
      buildDeviceSample({ deviceId: "d", series: "a", at: at(3), vitals: { uptimeSec: 120, freeMemoryBytes: 4096 }, publishedMessages: 5 }),
      buildDeviceSample({ deviceId: "d", series: "a", at: at(4), publishedMessages: 15 }),
    ];
    const series = shapeVitalsSeries(samples, { from: at(0), to: at(4) }, 480);
    expect(series.points.map((point) => [point.rssiDbm, point.publishedPerMinute])).toEqual([
      [-60, null],
      [-70, 30],
      [null, null],
      [null, 10],
    ]);
    expect(series.has).toEqual({ rssi: true, linkQuality: false, battery: true, publishRate: true });
    expect(series.latest).toEqual({ at: at(4).toISOString(), rssiDbm: -70, batteryPct: 90, freeMemoryBytes: 4096, uptimeSec: 120 });
  });

  it("keeps at most maxPoints buckets over a long range", () => {
    const samples = Array.from({ length: 1000 }, (_, minute) =>
      buildDeviceSample({ deviceId: "d", series: "a", at: at(minute), vitals: { rssiDbm: -60 } }),
    );
    expect(shapeVitalsSeries(samples, { from: at(0), to: at(1000) }, 100).points.length).toBeLessThanOrEqual(101);
  });
});
