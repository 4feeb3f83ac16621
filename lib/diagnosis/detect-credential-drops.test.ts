import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

describe("sessions ended over credentials without one period", () => {
  it("names expiring credentials when the token lifetime changed within the window (no single period)", () => {
    // meter-periodic-01 on npm start over 6 h: hourly expiries in the backfilled history, then ~50 s tokens live.
    const s = new ScenarioBuilder("meter-periodic-01");
    for (let i = 0; i < 6; i += 1)
      s.connect()
        .wait(HOUR + (i % 3) * 10 * SECOND)
        .add("disconnected", "not_authorized", { code: "emqx:not_authorized", initiator: "server" })
        .wait(2 * SECOND);
    for (let i = 0; i < 8; i += 1)
      s.connect()
        .wait(50 * SECOND + (i % 4) * 2 * SECOND)
        .add("disconnected", "not_authorized", { code: "emqx:not_authorized", initiator: "server" })
        .wait(2 * SECOND);
    s.connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("credential-drops");
    expect(diagnosis.verdict?.severity).toBe("warning");
    expect(diagnosis.verdict?.steps.find((step) => step.check === "renews-before-expiry")?.status).toBe("failed");
  });

  it("leaves a clean token lifetime to the periodic analyzer", () => {
    const s = new ScenarioBuilder("sas-device");
    for (let i = 0; i < 12; i += 1)
      s.connect()
        .wait(60 * MINUTE + (i % 3) * 5 * SECOND)
        .add("disconnected", "credential_expired", { code: "aws:CUSTOMAUTH_TTL_EXPIRATION", initiator: "server" })
        .wait(2 * SECOND);
    s.connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("periodic-drops");
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("credential-drops");
  });

  it("says nothing for refusals alone (the auth analyzer's case) or for one or two cuts", () => {
    const s = new ScenarioBuilder("two-cuts");
    s.connect()
      .wait(3 * HOUR)
      .add("disconnected", "not_authorized", { code: "emqx:not_authorized", initiator: "server" })
      .wait(5 * SECOND);
    s.connect()
      .wait(7 * HOUR)
      .add("disconnected", "not_authorized", { code: "emqx:not_authorized", initiator: "server" })
      .wait(5 * SECOND);
    s.connect();
    expect(diagnoseDevice(s.input()).findings.map((finding) => finding.analyzer)).not.toContain("credential-drops");
  });
});
