import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { recommendClientConfig } from "./recommend-client-config.ts";
import { createTestRandom, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import type { DeviceDiagnosis } from "./types.ts";

/**
 * A NAT that forgets idle flows within a minute (the demo's hub-nat-01 forgets them after 20 s): the device sends a
 * message every ~35 s, the first one after a quiet spell is reset, and the device's reconnect takes its stale session
 * over. Every connection therefore ends ~35 s after it started: the NAT's idle window is below that, so the usual
 * 60 s keepalive would not keep it open.
 */
function shortNatWindow(keepaliveSec: number, drops = 40): DeviceDiagnosis {
  const random = createTestRandom(7);
  const s = new ScenarioBuilder("hub-nat-01");
  for (let i = 0; i < drops; i += 1) {
    s.connect({ ip: "10.0.8.61", keepaliveSec })
      .wait((32 + random() * 6) * SECOND)
      .drop("session_taken_over", "emqx:discarded")
      .wait(SECOND);
  }
  s.connect({ ip: "10.0.8.61", keepaliveSec });
  return diagnoseDevice(s.input());
}

const natFinding = (diagnosis: DeviceDiagnosis) => diagnosis.findings.find((finding) => finding.analyzer === "keepalive-too-long");
const keepaliveRow = (diagnosis: DeviceDiagnosis) => recommendClientConfig(diagnosis).find((row) => row.setting === "Keepalive");

describe("a NAT whose idle window the device's own connections show", () => {
  it("recommends a keepalive below the window, not the usual 60 s, for a 120 s keepalive", () => {
    const diagnosis = shortNatWindow(120);
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    expect(diagnosis.verdict?.verdict).toContain("Set the keepalive to 15 s");
    expect(diagnosis.verdict?.verdict).not.toContain("Set the keepalive to 60 s");
    expect(diagnosis.verdict?.evidence.stats.recommendedKeepaliveSec).toBe(15);
    const step = diagnosis.verdict?.steps.find((item) => item.check === "keepalive-within-nat-timeout");
    expect(step?.text).toBe("Set the keepalive to 15 s");
    expect(step?.status).toBe("failed");
    expect(keepaliveRow(diagnosis)).toMatchObject({ value: "15 s", observed: "120 s", status: "failed" });
  });

  it("says a 60 s keepalive is still too long for that NAT", () => {
    const diagnosis = shortNatWindow(60);
    expect(natFinding(diagnosis)?.verdict).toContain("Set the keepalive to 15 s");
    expect(diagnosis.verdict?.analyzer).toBe("keepalive-too-long");
    const step = natFinding(diagnosis)?.steps.find((item) => item.check === "keepalive-within-nat-timeout");
    expect(step?.status).toBe("failed");
    expect(step?.detail).toContain("60 s");
    expect(keepaliveRow(diagnosis)).toMatchObject({ value: "15 s", observed: "60 s", status: "failed" });
  });

  it("names the device's own target in every keepalive step, not the usual 60 s (a NAT that forgets flows after ~42 s)", () => {
    const random = createTestRandom(11);
    const s = new ScenarioBuilder("nat-42");
    for (let i = 0; i < 40; i += 1) {
      s.connect({ ip: "10.0.8.9", keepaliveSec: 60 })
        .wait((42 + random() * 5) * SECOND)
        .drop("keepalive_timeout", "emqx:keepalive_timeout")
        .wait(SECOND);
    }
    s.connect({ ip: "10.0.8.9", keepaliveSec: 60 });
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.summary).toMatchObject({ recommendedKeepaliveSec: 20, natIdleWindowSec: 42 });
    const keepaliveSteps = diagnosis.findings.flatMap((finding) =>
      finding.steps.filter((step) => step.check === "keepalive-within-nat-timeout").map((step) => `${finding.analyzer}: ${step.text}`),
    );
    expect(keepaliveSteps.length).toBeGreaterThanOrEqual(2);
    for (const text of keepaliveSteps) {
      expect(text).toContain("20 s");
      expect(text).not.toMatch(/\b60 s\b/);
    }
  });

  it("has nothing to say about a keepalive already inside the window", () => {
    const diagnosis = shortNatWindow(10);
    expect(natFinding(diagnosis)).toBeUndefined();
    expect(keepaliveRow(diagnosis)).toMatchObject({ status: "passed" });
  });

  it("does not blame a NAT for drops at a fixed uptime the keepalive already pings within (a timer)", () => {
    const random = createTestRandom(5);
    const s = new ScenarioBuilder("watchdog-dev");
    for (let i = 0; i < 40; i += 1) {
      s.connect({ keepaliveSec: 60 })
        .wait((88 + random() * 4) * SECOND)
        .drop("connection_lost", "emqx:sock_closed")
        .wait(2 * SECOND);
    }
    const diagnosis = diagnoseDevice(s.input());
    expect(natFinding(diagnosis)).toBeUndefined();
    expect(diagnosis.summary).toMatchObject({ recommendedKeepaliveSec: 60, natIdleWindowSec: null });
  });

  it("needs several drops before it trusts a window", () => {
    expect(natFinding(shortNatWindow(60, 2))).toBeUndefined();
  });

  it("does not read a window into drops at random times (Wi-Fi), however short the connections", () => {
    const random = createTestRandom(3);
    const s = new ScenarioBuilder("wifi-dev");
    for (let i = 0; i < 40; i += 1) {
      // Exponential uptimes with a 3 min mean: no window, just a bad network.
      s.connect({ keepaliveSec: 60 })
        .wait(Math.max(12 * SECOND, -Math.log(1 - random()) * 3 * MINUTE))
        .drop("connection_lost", "emqx:sock_closed")
        .wait(2 * SECOND);
    }
    const diagnosis = diagnoseDevice(s.input());
    expect(natFinding(diagnosis)).toBeUndefined();
    expect(keepaliveRow(diagnosis)).toMatchObject({ value: "60 s", status: "passed" });
  });
});
