import { describe, expect, it } from "vitest";
import { computeTicks, formatTickLabel, shapeDeviceTimeline, type TimelineSessionInput } from "./shape-device-timeline.ts";

const T0 = Date.parse("2026-11-22T00:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const range = { from: at(0), to: at(100), now: at(100) };

const session = (id: string, start: number, end: number | null): TimelineSessionInput => ({
  id,
  startedAt: at(start),
  endedAt: end === null ? null : at(end),
  endReason: end === null ? null : "keepalive_timeout",
  endCode: null,
  endInferred: false,
  clientIp: null,
});

describe("shapeDeviceTimeline", () => {
  it("positions sessions in percent and clips them to the range", () => {
    const { bars } = shapeDeviceTimeline([session("b", 50, 75), session("a", -20, 10), session("c", 90, 130)], [], range);
    expect(bars.map((bar) => [bar.id, bar.leftPct, bar.widthPct])).toEqual([
      ["a", 0, 10],
      ["b", 50, 25],
      ["c", 90, 10],
    ]);
    expect(bars[0]?.startMs).toBe(at(-20).getTime());
  });

  it("runs an open session until now, not to the end of a future range", () => {
    const { bars } = shapeDeviceTimeline([session("open", 40, null)], [], { ...range, now: at(60) });
    expect(bars[0]?.leftPct).toBe(40);
    expect(bars[0]?.widthPct).toBe(20);
    expect(bars[0]?.endMs).toBeNull();
  });

  it("drops sessions entirely outside the range", () => {
    const { bars } = shapeDeviceTimeline([session("before", -50, -10), session("after", 120, 130)], [], range);
    expect(bars).toEqual([]);
  });

  it("keeps only disconnects and refused connects as markers, inside the range, in time order", () => {
    const { markers } = shapeDeviceTimeline(
      [],
      [
        { id: "3", kind: "connect_failed", occurredAt: at(80).toISOString(), reason: "auth_failed", code: "connack:5", message: null },
        { id: "1", kind: "disconnected", occurredAt: at(25), reason: "keepalive_timeout", code: "emqx:keepalive_timeout", message: null },
        { id: "2", kind: "connected", occurredAt: at(26), reason: "connected", code: null, message: null },
        { id: "4", kind: "disconnected", occurredAt: at(150), reason: "connection_lost", code: null, message: null },
      ],
      range,
    );
    expect(markers.map((marker) => [marker.id, marker.leftPct, marker.reason])).toEqual([
      ["1", 25, "keepalive_timeout"],
      ["3", 80, "auth_failed"],
    ]);
  });

  it("marks a drop Event Grid and the Connections log both logged once, with the log's code", () => {
    const hub = { source: "azure-iot-hub", message: null };
    const { markers } = shapeDeviceTimeline(
      [],
      [
        { ...hub, id: "1", kind: "disconnected", occurredAt: at(25), reason: "unknown", code: null, feed: "azure-iot-hub:event-grid" },
        {
          ...hub,
          id: "2",
          kind: "disconnected",
          occurredAt: at(25),
          reason: "connection_lost",
          code: "azure:404104",
          feed: "azure-iot-hub:connections-log",
        },
        {
          ...hub,
          id: "3",
          kind: "disconnected",
          occurredAt: at(40),
          reason: "connection_lost",
          code: "azure:404104",
          feed: "azure-iot-hub:connections-log",
        },
      ],
      range,
    );
    expect(markers.map((marker) => [marker.id, marker.code])).toEqual([
      ["2", "azure:404104"],
      ["3", "azure:404104"],
    ]);
  });
});

describe("computeTicks", () => {
  it("picks a step that yields at most eight ticks on round times", () => {
    const ticks = computeTicks(at(7).getTime(), at(7 + 60).getTime());
    expect(ticks.map((tick) => tick.label)).toEqual(["00:15", "00:30", "00:45", "01:00"]);
  });

  it("labels day-sized steps and midnights with the date", () => {
    const ticks = computeTicks(at(0).getTime(), at(14 * 24 * 60).getTime());
    expect(ticks.every((tick) => /^\d\d-\d\d$/.test(tick.label))).toBe(true);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(formatTickLabel(Date.parse("2026-11-23T00:00:00Z"), 6 * 3_600_000)).toBe("11-23");
    expect(formatTickLabel(Date.parse("2026-11-23T06:00:00Z"), 6 * 3_600_000)).toBe("06:00");
  });

  it("returns no ticks for an empty range", () => {
    expect(computeTicks(10, 10)).toEqual([]);
  });
});
