import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { recommendClientConfig } from "./recommend-client-config.ts";
import { createTestRandom, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import type { DeviceDiagnosis } from "./types.ts";

type Regime = { keepaliveSec: number; ip: string; drops: number; uptimeSec: [number, number] };

/**
 * The demo's hub-nat-01 (demo/simulator/fleet-profiles.ts): 14 days at a 1200 s keepalive behind a NAT that forgets
 * flows after 300 s (a connection dies at the first message after a quiet spell, ~15 min in), then, now, a 120 s
 * keepalive behind a NAT that forgets them after 20 s (every connection ends ~35 s in). Each reconnect takes the
 * stale session over.
 */
function regimes(...parts: Regime[]): ScenarioBuilder {
  const random = createTestRandom(13);
  const s = new ScenarioBuilder("hub-nat-01");
  for (const { keepaliveSec, ip, drops, uptimeSec } of parts) {
    for (let i = 0; i < drops; i += 1) {
      s.connect({ ip, keepaliveSec })
        .wait((uptimeSec[0] + random() * (uptimeSec[1] - uptimeSec[0])) * SECOND)
        .drop("session_taken_over", "emqx:discarded")
        .wait(SECOND);
    }
  }
  return s;
}

const HISTORY: Regime = { keepaliveSec: 1_200, ip: "10.0.8.61", drops: 1_300, uptimeSec: [850, 950] };
const live = (drops: number): Regime => ({ keepaliveSec: 120, ip: "127.0.0.1", drops, uptimeSec: [33, 37] });

function diagnose(s: ScenarioBuilder, keepaliveSec = 120): DeviceDiagnosis {
  s.connect({ ip: "127.0.0.1", keepaliveSec });
  return diagnoseDevice(s.input());
}

const natFinding = (diagnosis: DeviceDiagnosis) => diagnosis.findings.find((finding) => finding.analyzer === "keepalive-too-long");
const keepaliveRow = (diagnosis: DeviceDiagnosis) => recommendClientConfig(diagnosis).find((row) => row.setting === "Keepalive");

describe("the keepalive target comes from the drops since the keepalive last changed (decision 065)", () => {
  it("reads the present NAT's window, not two weeks under another keepalive and another NAT (the demo's hub-nat-01)", () => {
    const diagnosis = diagnose(regimes(HISTORY, live(10)));
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    expect(diagnosis.summary.recommendedKeepaliveSec).toBe(15);
    expect(diagnosis.summary.natIdleWindowSec).toBeGreaterThanOrEqual(33);
    expect(diagnosis.summary.natIdleWindowSec).toBeLessThanOrEqual(37);
    expect(diagnosis.verdict?.verdict).toContain("Set the keepalive to 15 s");
    expect(diagnosis.verdict?.verdict).not.toContain("Set the keepalive to 60 s");
    // The count beside "asks for a 120 s keepalive" is of the drops at 120 s, not of the 1300 at 1200 s.
    expect(diagnosis.verdict?.verdict).toContain("asks for a 120 s keepalive and dropped 10 times");
    expect(diagnosis.verdict?.evidence.stats).toMatchObject({ keepaliveSec: 120, drops: 10, recommendedKeepaliveSec: 15 });
    expect(keepaliveRow(diagnosis)).toMatchObject({ value: "15 s", observed: "120 s", status: "failed" });
  });

  it("keeps reading the present window hours later, when the two regimes' uptimes no longer cluster together", () => {
    const diagnosis = diagnose(regimes(HISTORY, live(400)));
    expect(diagnosis.summary.recommendedKeepaliveSec).toBe(15);
    expect(natFinding(diagnosis)?.verdict).toContain("dropped 400 times");
  });

  it("does not present the old regime's evidence as the present answer when the new keepalive has too few drops", () => {
    const diagnosis = diagnose(regimes(HISTORY, live(3)));
    expect(diagnosis.summary).toMatchObject({ recommendedKeepaliveSec: 60, natIdleWindowSec: null });
    const finding = natFinding(diagnosis);
    expect(finding?.verdict).toContain("asks for a 120 s keepalive and dropped 3 times");
    expect(finding?.verdict).not.toMatch(/1,?3\d\d times/);
  });

  it("carries a short window over to a new keepalive whose few drops still fit it (120 s, then 60 s, behind a 35 s NAT)", () => {
    const before: Regime = { keepaliveSec: 120, ip: "10.0.8.61", drops: 40, uptimeSec: [33, 37] };
    const after: Regime = { keepaliveSec: 60, ip: "10.0.8.61", drops: 3, uptimeSec: [35, 37] };
    const diagnosis = diagnose(regimes(before, after), 60);
    expect(diagnosis.summary).toMatchObject({ recommendedKeepaliveSec: 15, natIdleWindowSec: 33 });
    expect(natFinding(diagnosis)?.verdict).toContain("asks for a 60 s keepalive and dropped 3 times");
  });

  it("drops an old window the new keepalive's drops contradict (they come sooner)", () => {
    const before: Regime = { keepaliveSec: 1_200, ip: "10.0.8.61", drops: 200, uptimeSec: [95, 105] };
    const diagnosis = diagnose(regimes(before, live(3)));
    expect(diagnosis.summary).toMatchObject({ recommendedKeepaliveSec: 60, natIdleWindowSec: null });
  });

  it("says nothing of a NAT once a keepalive change stopped the drops", () => {
    const before: Regime = { keepaliveSec: 120, ip: "10.0.8.61", drops: 200, uptimeSec: [33, 37] };
    const s = regimes(before);
    s.connect({ ip: "10.0.8.61", keepaliveSec: 15 }).wait(6 * 3_600 * SECOND);
    const diagnosis = diagnoseDevice(s.input());
    expect(natFinding(diagnosis)).toBeUndefined();
    expect(diagnosis.summary).toMatchObject({ lastKeepaliveSec: 15 });
    expect(keepaliveRow(diagnosis)).toMatchObject({ status: "passed" });
  });

  it("says nothing of a NAT once a 1200 s keepalive that dropped every 15 min was set to 120 s and the drops stopped", () => {
    const s = regimes(HISTORY);
    s.connect({ ip: "10.0.8.61", keepaliveSec: 120 }).wait(6 * 3_600 * SECOND);
    const diagnosis = diagnoseDevice(s.input());
    expect(natFinding(diagnosis)).toBeUndefined();
  });

  it("reads one regime as before: a keepalive that never changed uses every drop in the window", () => {
    const diagnosis = diagnose(regimes(live(40)));
    expect(diagnosis.summary.recommendedKeepaliveSec).toBe(15);
    expect(natFinding(diagnosis)?.verdict).toContain("dropped 40 times");
  });
});
