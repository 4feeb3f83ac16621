import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import { verdictLabel } from "./verdict-label.ts";

describe("verdictLabel", () => {
  it("does not say 'Not the device' over a minor finding about the device's own reconnects", () => {
    const s = new ScenarioBuilder("own-1");
    for (let i = 0; i < 5; i += 1)
      s.connect({ ip: "10.0.0.4" })
        .wait(2 * HOUR)
        .drop("session_taken_over", "emqx:takenover")
        .wait(2 * SECOND);
    s.connect({ ip: "10.0.0.4" });
    const verdict = diagnoseDevice(s.input()).verdict;
    expect(verdict?.analyzer).toBe("client-id-takeover");
    expect(verdict && verdictLabel(verdict)).toBe("Worth knowing");
  });

  it("says 'Not the device' when the fleet dropped with it", () => {
    const s = new ScenarioBuilder("fleet-1");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 4; i += 1) {
      s.connect().wait(6 * HOUR);
      fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 30);
      s.drop("server_shutdown", "emqx:shutdown").wait(5 * SECOND);
    }
    s.connect();
    const verdict = diagnoseDevice(s.input({ devicesTotal: 40, otherDevicesDropping: fleetMinutes })).verdict;
    expect(verdict?.analyzer).toBe("fleet-wide-drops");
    expect(verdict && verdictLabel(verdict)).toBe("Not the device");
  });

  it("names problems and warnings by their severity", () => {
    expect(verdictLabel({ severity: "critical", analyzer: "fleet-wide-drops" })).toBe("Problem");
    expect(verdictLabel({ severity: "warning", analyzer: "keepalive-too-long" })).toBe("Needs attention");
    expect(verdictLabel({ severity: "expected", analyzer: "token-renewal" })).toBe("Expected");
  });
});
