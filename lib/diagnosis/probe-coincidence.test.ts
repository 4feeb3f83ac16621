import { describe, expect, it } from "vitest";
import { describeFailedRun, describePassingRuns, findProbeFailedDrops, runsAround, type ProbeRunEvidence } from "./probe-coincidence.ts";
import { makeDiagnosisEvent } from "@/lib/testing/factories.ts";
import type { DiagnosisEvent } from "./types.ts";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 2, 2, 14, 0);

function drop(id: string, at: number): DiagnosisEvent {
  return makeDiagnosisEvent({ id, occurredAt: new Date(at) });
}

function run(at: number, failedStep: ProbeRunEvidence["failedStep"] = null, ok = failedStep === null): ProbeRunEvidence {
  return { endpointName: "broker-eu", startedAt: new Date(at), ok, failedStep, explanation: ok ? null : "certificate expired" };
}

describe("findProbeFailedDrops", () => {
  it("marks a drop whose nearest run within 5 minutes failed, and names that run", () => {
    const failed = run(T0 + 2 * MINUTE, "tls");
    const result = findProbeFailedDrops([drop("a", T0), drop("b", T0 + 30 * MINUTE)], {
      endpointNames: ["broker-eu"],
      runs: [run(T0 - 4 * MINUTE), failed, run(T0 + 30 * MINUTE)],
    });
    expect([...result.entries()]).toEqual([["a", failed]]);
  });

  it("leaves a drop alone when the nearest run passed, or when no run was near", () => {
    const drops = [drop("a", T0), drop("b", T0 + 60 * MINUTE)];
    const runs = [run(T0 + MINUTE), run(T0 + 4 * MINUTE, "tcp"), run(T0 + 66 * MINUTE, "dns")];
    expect(findProbeFailedDrops(drops, { endpointNames: ["broker-eu"], runs }).size).toBe(0);
    expect(findProbeFailedDrops(drops, null).size).toBe(0);
  });
});

describe("probe sentences", () => {
  it("name the failed step and its time, or say the server was reachable when every run passed", () => {
    expect(describeFailedRun(run(T0, "tls"))).toBe(
      "our own probe of broker-eu failed at TLS at 2026-12-02 02:14:00 UTC (certificate expired)",
    );
    expect(describeFailedRun(run(T0, null, false))).toBe(
      "our own probe of broker-eu failed without finishing at 2026-12-02 02:14:00 UTC (certificate expired)",
    );
    expect(describePassingRuns([run(T0), run(T0 + MINUTE)])).toBe(
      "our own probe of broker-eu passed all 2 runs around them: the server was reachable from here",
    );
    expect(describePassingRuns([run(T0), run(T0 + MINUTE, "tls")])).toBeNull();
    expect(describePassingRuns([])).toBeNull();
  });
});

describe("probe runs around a storming device's drops", () => {
  // Each drop compared itself with every probe run (and the passing-runs sentence each run with every drop): a
  // minutely probe over two weeks has 20,000 runs, and minutes went by at 200,000 of each. Sorted, each reads its own.
  const count = 200_000;
  const drops = Array.from({ length: count }, (_, i) => drop(`d${i}`, T0 + i * MINUTE + 20_000));
  const runs = Array.from({ length: count }, (_, i) => run(T0 + i * MINUTE, i % 2 === 0 ? "tls" : null));

  it("finds the nearest run of 200,000 drops in one pass", { timeout: 30_000 }, () => {
    const failed = findProbeFailedDrops(drops, { endpointNames: ["broker-eu"], runs });
    expect(failed.size).toBe(count / 2);
    expect(failed.get("d2")).toBe(runs[2]);
  });

  it("lists the runs around 200,000 drops in one pass", { timeout: 30_000 }, () => {
    const times = drops.map((event) => event.occurredAt);
    expect(runsAround(runs, times)).toHaveLength(count);
    expect(runsAround(runs, [new Date(T0 + 10 * MINUTE)])).toEqual(runs.slice(5, 16));
  });
});
