import { describe, expect, it } from "vitest";
import { buildAnalysisContext } from "./analysis-context.ts";
import { evaluateCheck } from "./evaluate-checks.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

describe("evaluateCheck", () => {
  it("says unknown when the data cannot tell", () => {
    const ctx = buildAnalysisContext(new ScenarioBuilder().input());
    expect(evaluateCheck("keepalive-within-nat-timeout", ctx).status).toBe("unknown");
    expect(evaluateCheck("reconnect-backoff", ctx).status).toBe("unknown");
    expect(evaluateCheck("not-fleet-wide", ctx).status).toBe("unknown");
    expect(evaluateCheck("reconnects-quickly", ctx).status).toBe("unknown");
    expect(evaluateCheck("manual", ctx)).toEqual({
      status: "unknown",
      detail: "Needs information Linkscope cannot see; check on the device.",
      evidence: null,
    });
  });

  it("passes a calm device and fails the same checks on a troubled one, with evidence ranges", () => {
    const calm = new ScenarioBuilder();
    for (let i = 0; i < 4; i += 1)
      calm
        .connect({ keepaliveSec: 60 })
        .wait(6 * HOUR)
        .drop("connection_lost")
        .wait(20 * SECOND);
    calm.connect({ keepaliveSec: 60 });
    const calmCtx = buildAnalysisContext(calm.input({ devicesTotal: 10, otherDevicesDropping: new Map() }));
    expect(evaluateCheck("keepalive-within-nat-timeout", calmCtx).status).toBe("passed");
    expect(evaluateCheck("reconnect-backoff", calmCtx).status).toBe("passed");
    expect(evaluateCheck("reconnects-quickly", calmCtx).detail).toBe("Reconnects in 20 s (median of 4).");
    expect(evaluateCheck("not-fleet-wide", calmCtx).status).toBe("passed");

    const troubled = new ScenarioBuilder();
    troubled.connect({ keepaliveSec: 900 }).wait(HOUR).drop("connection_lost");
    for (let i = 0; i < 4; i += 1) troubled.wait(100).connect({ keepaliveSec: 900 }).wait(100).drop("connection_lost");
    troubled.wait(10 * MINUTE).connect({ keepaliveSec: 900 });
    const ctx = buildAnalysisContext(troubled.input());
    const keepalive = evaluateCheck("keepalive-within-nat-timeout", ctx);
    expect(keepalive.status).toBe("failed");
    expect(keepalive.evidence?.from).toMatch(/^2026-11-01T/);
    expect(evaluateCheck("reconnect-backoff", ctx).detail).toBe("4 retries came less than 1 s after the previous failure.");
  });

  it("does not call a device with thousands of takeovers one with too few reconnects without saying why", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 5; i += 1)
      s.connect({ keepaliveSec: 120 })
        .wait(40 * SECOND)
        .drop("session_taken_over")
        .wait(400);
    s.connect({ keepaliveSec: 120 });
    expect(evaluateCheck("reconnect-backoff", buildAnalysisContext(s.input()))).toMatchObject({
      status: "unknown",
      detail:
        "Too few reconnects after a drop to judge the backoff (5 reconnects took over a live session, which says nothing about retrying).",
    });
  });
});
