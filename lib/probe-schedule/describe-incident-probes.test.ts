import { describe, expect, it } from "vitest";
import { describeIncidentProbes } from "./describe-incident-probes.ts";

const T0 = Date.UTC(2026, 11, 2, 2, 14, 0);
const passed = (at: number) => ({ endpointName: "broker-eu", startedAt: new Date(at), ok: true, failedStep: null, explanation: null });

describe("describeIncidentProbes", () => {
  it("names the first failed step: the server or the network, not the devices", () => {
    const result = describeIncidentProbes({
      endpointNames: ["broker-eu"],
      runs: [
        passed(T0 - 300_000),
        { endpointName: "broker-eu", startedAt: new Date(T0), ok: false, failedStep: "tcp", explanation: "Connection refused." },
      ],
    });
    expect(result).toMatchObject({
      verdict: "probe_failed",
      runs: 2,
      failedRuns: [{ failedStep: "tcp", startedAt: new Date(T0).toISOString() }],
    });
    expect(result.sentence).toBe(
      "Our own probe of broker-eu failed at TCP connect at 2026-12-02 02:14:00 UTC (Connection refused) — the server or the network, not the devices.",
    );
  });

  it("says the server was reachable when every run passed, and that there is no evidence without runs", () => {
    expect(describeIncidentProbes({ endpointNames: ["broker-eu"], runs: [passed(T0), passed(T0 + 300_000)] })).toMatchObject({
      verdict: "probe_passed",
      sentence: expect.stringContaining("passed all 2 runs during the incident: the server was reachable from here"),
    });
    expect(describeIncidentProbes({ endpointNames: ["broker-eu"], runs: [] })).toMatchObject({
      verdict: "no_runs",
      sentence: "No run of our own probe of broker-eu fell in the incident's window.",
    });
  });
});
