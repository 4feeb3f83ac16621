import { describe, expect, it } from "vitest";
import { detectIncidents, type DetectionThresholds, type DropSample } from "./detect-incidents.ts";

const T0 = Date.parse("2026-11-01T10:00:00Z");
const THRESHOLDS: DetectionThresholds = { minDevices: 5, minFleetFraction: 0.2, windowMs: 2 * 60_000, quietMs: 5 * 60_000 };
const LATER = new Date(T0 + 3_600_000);

function drop(deviceId: string, offsetMs: number, overrides: Partial<DropSample> = {}): DropSample {
  return {
    deviceId,
    at: new Date(T0 + offsetMs),
    reason: "server_shutdown",
    code: "emqx:server_shutting_down",
    source: "emqx",
    brokerNode: "node-a",
    ...overrides,
  };
}

describe("detectIncidents", () => {
  it("reports 20 % of the fleet dropping within 2 minutes as one incident", () => {
    const samples = Array.from({ length: 20 }, (_, i) => drop(`dev-${i}`, i * 5_000));
    const [incident, ...rest] = detectIncidents(samples, 100, THRESHOLDS, LATER);
    expect(rest).toEqual([]);
    expect(incident?.devices).toHaveLength(20);
    expect(incident?.startedAt).toEqual(new Date(T0));
    expect(incident?.lastDropAt).toEqual(new Date(T0 + 19 * 5_000));
    expect(incident?.dominantReason).toBe("server_shutdown");
    expect(incident?.codeCounts).toEqual({ "emqx:server_shutting_down": 20 });
    expect(incident?.ended).toBe(true);
  });

  it("does not report one device storming through hundreds of drops", () => {
    const samples = Array.from({ length: 300 }, (_, i) => drop("storm-01", i * 200, { reason: "keepalive_timeout" }));
    expect(detectIncidents(samples, 100, THRESHOLDS, LATER)).toEqual([]);
  });

  it("does not report a few devices below the fleet share, nor the same devices spread over an hour", () => {
    const few = Array.from({ length: 19 }, (_, i) => drop(`dev-${i}`, i * 1_000));
    expect(detectIncidents(few, 100, THRESHOLDS, LATER)).toEqual([]);
    const spread = Array.from({ length: 20 }, (_, i) => drop(`dev-${i}`, i * 3 * 60_000));
    expect(detectIncidents(spread, 100, THRESHOLDS, LATER)).toEqual([]);
  });

  it("keeps broker nodes apart and names each device's most frequent reason", () => {
    const a = Array.from({ length: 6 }, (_, i) => drop(`a-${i}`, i * 1_000));
    const b = Array.from({ length: 6 }, (_, i) =>
      drop(`b-${i}`, i * 1_000, { brokerNode: "node-b", reason: "keepalive_timeout", code: null }),
    );
    const repeat = [
      drop("b-0", 10_000, { brokerNode: "node-b", reason: "keepalive_timeout" }),
      drop("b-0", 11_000, { brokerNode: "node-b", reason: "keepalive_timeout" }),
    ];
    const incidents = detectIncidents([...a, ...b, ...repeat], 20, THRESHOLDS, LATER);
    expect(incidents.map((i) => i.brokerNode).sort()).toEqual(["node-a", "node-b"]);
    const nodeB = incidents.find((i) => i.brokerNode === "node-b");
    expect(nodeB?.dominantReason).toBe("keepalive_timeout");
    expect(nodeB?.devices.find((d) => d.deviceId === "b-0")).toMatchObject({ drops: 3, reason: "keepalive_timeout" });
  });

  it("keeps an incident open while a second wave of devices drops within the quiet period", () => {
    const burst = Array.from({ length: 6 }, (_, i) => drop(`dev-${i}`, i * 1_000));
    const wave = Array.from({ length: 5 }, (_, i) => drop(`wave-${i}`, 4 * 60_000 + i * 1_000));
    const [incident, ...rest] = detectIncidents([...burst, ...wave], 10, THRESHOLDS, new Date(T0 + 6 * 60_000));
    expect(rest).toEqual([]);
    expect(incident?.devices).toHaveLength(11);
    expect(incident?.lastDropAt).toEqual(new Date(T0 + 4 * 60_000 + 4_000));
    expect(incident?.ended).toBe(false);
  });

  it("ends although the usual flapping devices keep dropping, and leaves their drops out", () => {
    // Broker restart: 40 of 58 devices within seconds; six chronic devices (like the simulated fleet's) drop every
    // 20 s before and after it, which is half the incident threshold within any window.
    const restart = Array.from({ length: 40 }, (_, i) => drop(`dev-${i}`, 10 * 60_000 + i * 200));
    const chronic = Array.from({ length: 90 }, (_, i) =>
      Array.from({ length: 6 }, (_, d) =>
        drop(`flappy-${d}`, i * 20_000 + d * 3_000, { reason: "connection_lost", code: "emqx:tcp_closed" }),
      ),
    ).flat();
    const now = new Date(T0 + 30 * 60_000);
    const [incident, ...rest] = detectIncidents([...restart, ...chronic], 58, THRESHOLDS, now);
    expect(rest).toEqual([]);
    expect(incident?.ended).toBe(true);
    // Not the flapping drops of the minutes before; at most a quarter window (30 s) ahead of the restart.
    expect(T0 + 10 * 60_000 - (incident?.startedAt.getTime() ?? 0)).toBeLessThanOrEqual(30_000);
    // The flapping devices' drops during the burst window belong to it; the hours after it do not.
    expect(incident?.lastDropAt.getTime()).toBeLessThan(T0 + 13 * 60_000);
    expect(incident?.dominantReason).toBe("server_shutdown");
    expect(incident?.reasonCounts.server_shutdown).toBe(40);
  });

  it("names the reason most devices dropped with, not the one with most drops", () => {
    const shutdown = Array.from({ length: 6 }, (_, i) => drop(`dev-${i}`, i * 1_000));
    const storm = Array.from({ length: 30 }, (_, i) => drop("storm", i * 2_000, { reason: "connection_lost", code: "emqx:tcp_closed" }));
    const [incident] = detectIncidents([...shutdown, ...storm], 20, THRESHOLDS, LATER);
    expect(incident?.dominantReason).toBe("server_shutdown");
  });
});

describe("detectIncidents on a large fleet", () => {
  // Every drop counted the distinct devices of its own window afresh: quadratic in the drops of a window, 14 s for
  // 15,000 devices dropping within two minutes in a fleet of 100,000 (short of its 20 %), minutes at 60,000. Both ends of
  // the window only move forward, so each drop enters and leaves the count once.
  it("reads 60,000 drops in one window in one pass", { timeout: 30_000 }, () => {
    const below = Array.from({ length: 60_000 }, (_, i) => drop(`dev-${i}`, Math.floor((i * 100_000) / 60_000)));
    expect(detectIncidents(below, 400_000, THRESHOLDS, LATER)).toEqual([]);
    const [incident, ...rest] = detectIncidents(below, 100_000, THRESHOLDS, LATER);
    expect(rest).toEqual([]);
    expect(incident?.devices).toHaveLength(60_000);
  });
});
