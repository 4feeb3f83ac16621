import { describe, expect, it } from "vitest";
import { listChartedSteps, shapeProbeTimeline } from "./shape-probe-timeline.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 2, 0, 0, 0);

describe("shapeProbeTimeline", () => {
  it("gives every bucket once, empty ones without availability, and the passed steps' mean durations", () => {
    const points = shapeProbeTimeline({
      from: new Date(T0),
      to: new Date(T0 + 30 * MINUTE),
      bucketMs: 10 * MINUTE,
      availability: [
        { bucket: new Date(T0), runs: 2, passed: 2 },
        { bucket: new Date(T0 + 20 * MINUTE), runs: 4, passed: 3 },
      ],
      latencies: [
        { bucket: new Date(T0), step: "tls", ms: 41.26 },
        { bucket: new Date(T0 + 20 * MINUTE), step: "dns", ms: 3 },
        { bucket: new Date(T0 + 20 * MINUTE), step: "not-a-step", ms: 1 },
      ],
    });
    expect(points).toEqual([
      { at: T0, runs: 2, passed: 2, availability: 1, tls: 41.3 },
      { at: T0 + 10 * MINUTE, runs: 0, passed: 0, availability: null },
      { at: T0 + 20 * MINUTE, runs: 4, passed: 3, availability: 0.75, dns: 3 },
    ]);
    expect(listChartedSteps(points)).toEqual(["dns", "tls"]);
  });
});
