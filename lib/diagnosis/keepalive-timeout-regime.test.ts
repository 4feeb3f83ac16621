import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { createTestRandom, MINUTE, ScenarioBuilder } from "./scenario-builder.ts";
import type { DeviceDiagnosis } from "./types.ts";

type Regime = { keepaliveSec: number; expiries: number; uptimeMin: [number, number] };

/** A device that hangs now and then: the broker hears nothing for 1.5 × the keepalive it asked for, and drops it. */
function hangs(...parts: Regime[]): ScenarioBuilder {
  const random = createTestRandom(21);
  const s = new ScenarioBuilder("gateway-07");
  for (const { keepaliveSec, expiries, uptimeMin } of parts) {
    for (let i = 0; i < expiries; i += 1) {
      s.connect({ ip: "10.0.4.12", keepaliveSec })
        .wait((uptimeMin[0] + random() * (uptimeMin[1] - uptimeMin[0])) * MINUTE)
        .drop("keepalive_timeout", "emqx:keepalive_timeout")
        .wait(2_000);
    }
  }
  return s;
}

// 200 expiries over 13 days at a 1200 s keepalive, then 6 in the last hour at 60 s.
const HISTORY: Regime = { keepaliveSec: 1_200, expiries: 200, uptimeMin: [60, 127] };
const recent = (expiries: number): Regime => ({ keepaliveSec: 60, expiries, uptimeMin: [6, 9] });

function diagnose(s: ScenarioBuilder, keepaliveSec: number): DeviceDiagnosis {
  s.connect({ ip: "10.0.4.12", keepaliveSec });
  return diagnoseDevice(s.input());
}

const timeoutFinding = (diagnosis: DeviceDiagnosis) => diagnosis.findings.find((finding) => finding.analyzer === "keepalive-timeouts");

describe("the keepalive-timeout finding describes the expiries of the current keepalive (decision 065)", () => {
  it("speaks of the expiries at the current 60 s keepalive and their 90 s delay, not of 1800 s and all 206", () => {
    const finding = timeoutFinding(diagnose(hangs(HISTORY, recent(6)), 60));
    expect(finding?.verdict).toContain("1.5 × keepalive (90 s) 6 times");
    expect(finding?.verdict).not.toContain("1800 s");
    expect(finding?.verdict).not.toContain("206");
    expect(finding?.evidence.stats).toMatchObject({ keepaliveTimeouts: 6, keepaliveSec: 60, detectionDelaySec: 90 });
    expect(finding?.evidence.eventIds).toHaveLength(6);
  });

  it("says how many expiries happened at the previous keepalive, which the timeline shows beside the current ones", () => {
    const finding = timeoutFinding(diagnose(hangs(HISTORY, recent(6)), 60));
    expect(finding?.verdict).toContain("6 times since its keepalive became 60 s (200 earlier at its previous keepalive of 1200 s)");
  });

  it("says nothing of keepalive timeouts once a keepalive change was followed by none", () => {
    const s = hangs(HISTORY);
    s.connect({ ip: "10.0.4.12", keepaliveSec: 60 }).wait(60 * MINUTE);
    expect(timeoutFinding(diagnoseDevice(s.input()))).toBeUndefined();
  });

  it("reads one regime as before: a keepalive that never changed counts every expiry in the window", () => {
    const finding = timeoutFinding(diagnose(hangs(HISTORY), 1_200));
    expect(finding?.verdict).toContain("1.5 × keepalive (1800 s) 200 times");
    expect(finding?.evidence.stats).toMatchObject({ keepaliveTimeouts: 200, keepaliveSec: 1_200 });
  });

  it("counts every expiry when the connects do not report a keepalive", () => {
    const random = createTestRandom(5);
    const s = new ScenarioBuilder("gateway-07");
    // Connects without a keepalive, as sources that do not report it store them.
    const connect = () => s.add("connected", "connected", { ip: "10.0.4.12" });
    for (let i = 0; i < 12; i += 1)
      connect()
        .wait((30 + random() * 60) * MINUTE)
        .drop("keepalive_timeout")
        .wait(2_000);
    connect();
    expect(timeoutFinding(diagnoseDevice(s.input()))?.verdict).toContain("1.5 × its keepalive 12 times");
  });
});
