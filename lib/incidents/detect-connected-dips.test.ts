import { describe, expect, it } from "vitest";
import {
  hasRecovered,
  measureConnectedLevel,
  planConnectedDips,
  selectDipScopes,
  type ConnectedLevel,
  type ConnectedScope,
  type DipThresholds,
  type ScopedLevel,
} from "./detect-connected-dips.ts";

const T0 = Date.parse("2026-11-01T10:00:00Z");
const MINUTE = 60_000;
const THRESHOLDS: DipThresholds = { dipPercent: 20, minDevices: 5, windowMs: 10 * MINUTE };
const NOW = new Date(T0 + 10 * MINUTE);

const series = (counts: number[]) => counts.map((connected, i) => ({ at: new Date(T0 + i * MINUTE), connected }));
const FLEET: ConnectedScope = { source: null, brokerNode: null };
const EMQX: ConnectedScope = { source: "emqx", brokerNode: null };
const nodeScope = (node: string): ConnectedScope => ({ source: "emqx", brokerNode: node });

function level(baseline: number, current: number): ConnectedLevel {
  return measureConnectedLevel(
    [
      { at: new Date(T0), connected: baseline },
      { at: NOW, connected: current },
    ],
    NOW,
    THRESHOLDS,
  ) as ConnectedLevel;
}

describe("measureConnectedLevel", () => {
  it("reports a dip when the count falls by 20 % and 5 devices from the window's maximum", () => {
    const dip = measureConnectedLevel(series([58, 58, 57, 58, 58, 58, 58, 58, 58, 40, 40]), NOW, THRESHOLDS);
    expect(dip).toMatchObject({ baseline: 58, current: 40, lost: 18, dipping: true });
    // The last moment at the maximum: the fall happened after it.
    expect(dip?.baselineAt).toEqual(new Date(T0 + 8 * MINUTE));
  });

  it("ignores normal churn: devices coming and going a few at a time", () => {
    expect(measureConnectedLevel(series([58, 55, 57, 54, 58, 56, 53, 57, 55, 54, 55]), NOW, THRESHOLDS)?.dipping).toBe(false);
  });

  it("needs both thresholds: 3 of 10 devices is 30 % but fewer than 5 devices", () => {
    expect(measureConnectedLevel(series([10, 10, 10, 7]), new Date(T0 + 3 * MINUTE), THRESHOLDS)).toMatchObject({
      lost: 3,
      dipping: false,
    });
  });

  it("only compares within the window: a fall 20 minutes ago is the new level, not a dip", () => {
    const counts = [...Array<number>(10).fill(58), ...Array<number>(21).fill(40)];
    expect(measureConnectedLevel(series(counts), new Date(T0 + 30 * MINUTE), THRESHOLDS)).toMatchObject({ baseline: 40, dipping: false });
    expect(measureConnectedLevel([], NOW, THRESHOLDS)).toBeNull();
  });
});

describe("hasRecovered", () => {
  it("needs the count back within half the threshold of the baseline", () => {
    // Threshold for 58: 11.6 devices, so recovery needs fewer than 5.8 missing.
    expect(hasRecovered(58, 50, THRESHOLDS)).toBe(false);
    expect(hasRecovered(58, 53, THRESHOLDS)).toBe(true);
  });
});

describe("selectDipScopes", () => {
  it("reports one broker node going down on that node, not on the fleet and source above it", () => {
    const levels: ScopedLevel[] = [
      { scope: FLEET, level: level(100, 70) },
      { scope: EMQX, level: level(100, 70) },
      { scope: nodeScope("a"), level: level(30, 0) },
      { scope: nodeScope("b"), level: level(70, 70) },
    ];
    expect(selectDipScopes(levels).map((entry) => entry.scope)).toEqual([nodeScope("a")]);
  });

  it("reports every node dipping together once, on their source", () => {
    const levels: ScopedLevel[] = [
      { scope: FLEET, level: level(100, 50) },
      { scope: EMQX, level: level(100, 50) },
      { scope: nodeScope("a"), level: level(50, 25) },
      { scope: nodeScope("b"), level: level(50, 25) },
    ];
    expect(selectDipScopes(levels).map((entry) => entry.scope)).toEqual([EMQX]);
  });

  it("reports a small node dipping under a steady fleet on its own", () => {
    const levels: ScopedLevel[] = [
      { scope: FLEET, level: level(100, 92) },
      { scope: EMQX, level: level(100, 92) },
      { scope: nodeScope("a"), level: level(10, 2) },
    ];
    expect(selectDipScopes(levels).map((entry) => entry.scope)).toEqual([nodeScope("a")]);
  });
});

describe("planConnectedDips", () => {
  const dipping: ScopedLevel[] = [{ scope: FLEET, level: level(58, 40) }];

  it("opens a dip once, then keeps it open while the count stays low", () => {
    expect(planConnectedDips(dipping, [], THRESHOLDS).open.map((entry) => entry.scope)).toEqual([FLEET]);
    const open = [{ id: "i1", scope: FLEET, baseline: 58, low: 40 }];
    const later: ScopedLevel[] = [{ scope: FLEET, level: level(40, 38) }];
    expect(planConnectedDips(later, open, THRESHOLDS)).toEqual({ open: [], update: [{ id: "i1", low: 38, current: 38 }], recover: [] });
  });

  it("closes the dip when the count recovers", () => {
    const open = [{ id: "i1", scope: FLEET, baseline: 58, low: 38 }];
    const recovered: ScopedLevel[] = [{ scope: FLEET, level: level(40, 56) }];
    expect(planConnectedDips(recovered, open, THRESHOLDS)).toEqual({ open: [], update: [], recover: [{ id: "i1", low: 38, current: 56 }] });
  });

  it("does not open a second incident for a dip an open one already follows at another level", () => {
    const open = [{ id: "i1", scope: nodeScope("a"), baseline: 30, low: 0 }];
    expect(planConnectedDips(dipping, open, THRESHOLDS).open).toEqual([]);
  });

  it("opens nothing for normal churn", () => {
    const churn: ScopedLevel[] = [{ scope: FLEET, level: level(58, 54) }];
    expect(planConnectedDips(churn, [], THRESHOLDS)).toEqual({ open: [], update: [], recover: [] });
  });
});
