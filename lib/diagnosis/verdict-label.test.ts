import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import { verdictLabel } from "./verdict-label.ts";

describe("verdictLabel", () => {
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
