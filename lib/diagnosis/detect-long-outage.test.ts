import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import type { DiagnosisInput } from "./types.ts";

const DAY = 24 * HOUR;

/** The scenario's input with the window running `ms` past its last event (the page's window ends now). */
function endingLater(s: ScenarioBuilder, ms: number): DiagnosisInput {
  const input = s.input();
  return { ...input, window: { from: input.window.from, to: new Date(input.window.to.getTime() + ms) } };
}

const outageOf = (input: DiagnosisInput) => diagnoseDevice(input).findings.find((finding) => finding.analyzer === "long-outage");

describe("a device that has not reconnected", () => {
  it("leads with the outage when the broker stopped hearing from it days ago, naming the last drop", () => {
    const s = new ScenarioBuilder("gone-1");
    for (let i = 0; i < 6; i += 1)
      s.connect()
        .wait(20 * HOUR)
        .drop("keepalive_timeout", "emqx:keepalive_timeout")
        .wait(3 * SECOND);
    const diagnosis = diagnoseDevice(endingLater(s, 3 * DAY));
    expect(diagnosis.verdict?.analyzer).toBe("long-outage");
    expect(diagnosis.verdict?.severity).toBe("warning");
    expect(diagnosis.verdict?.verdict).toMatch(
      /^The device has not connected for 72 h up to the end of this window: its last connection ended at .* \(emqx:keepalive_timeout\)/,
    );
    expect(diagnosis.verdict?.verdict).toContain("Not one connect attempt reached the broker since");
    expect(diagnosis.verdict?.verdict).toContain("Its longest earlier time offline in this window was 3 s.");
    // The device page's live view: the window ends now.
    expect(diagnoseDevice({ ...endingLater(s, 3 * DAY), windowEndsNow: true }).verdict?.verdict).toMatch(
      /^The device has not connected for 72 h: its last connection ended at/,
    );
  });

  it("counts the refused connects since, and lets the finding that explains them lead", () => {
    const s = new ScenarioBuilder("revoked-1");
    s.connect()
      .wait(3 * DAY)
      .drop("not_authorized", "mqtt5:0x87");
    for (const waitSec of [1, 2, 4, 8, 16, 32, 64, 128]) s.wait(waitSec * SECOND).refuse("not_authorized", "mqtt5:0x87");
    const diagnosis = diagnoseDevice(endingLater(s, DAY));
    expect(diagnosis.verdict?.analyzer).toBe("auth-failures");
    expect(outageOf(endingLater(s, DAY))?.verdict).toContain("Since then 8 connects were refused (mqtt5:0x87)");
    expect(outageOf(endingLater(s, DAY))?.verdict).toContain("and no attempt came after it");
  });

  it("leaves the lead to the fleet-wide finding when the fleet dropped with it and nobody came back", () => {
    const s = new ScenarioBuilder("fleet-gone-1");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 3; i += 1) {
      s.connect().wait(8 * HOUR);
      fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 30);
      s.drop("keepalive_timeout", "emqx:keepalive_timeout").wait(5 * SECOND);
    }
    const input = endingLater(s, 6 * HOUR);
    const diagnosis = diagnoseDevice({ ...input, fleet: { devicesTotal: 40, otherDevicesDropping: fleetMinutes } });
    expect(diagnosis.verdict?.analyzer).toBe("fleet-wide-drops");
    const outage = diagnosis.findings.find((finding) => finding.analyzer === "long-outage");
    expect(outage).toMatchObject({ severity: "info" });
    expect(outage?.verdict).toContain("the server or the network, not the device");
  });

  it("says a device that closed its connection itself is offline, without alarm", () => {
    const s = new ScenarioBuilder("off-1");
    s.connect()
      .wait(3 * DAY)
      .drop("client_disconnect");
    const diagnosis = diagnoseDevice(endingLater(s, 2 * DAY));
    expect(diagnosis.verdict).toMatchObject({ analyzer: "long-outage", severity: "info", title: "Offline since it disconnected itself" });
  });

  it("measures the absence against the device's own rhythm", () => {
    // Connects, publishes and disconnects every 10 min; asleep 10 h every night.
    const batch = new ScenarioBuilder("batch-1");
    for (let i = 0; i < 50; i += 1)
      batch
        .connect()
        .wait(3 * SECOND)
        .drop("client_disconnect")
        .wait(10 * MINUTE);
    expect(outageOf(endingLater(batch, 5 * MINUTE))).toBeUndefined();
    const sleeper = new ScenarioBuilder("solar-1");
    for (let night = 0; night < 5; night += 1)
      sleeper
        .connect()
        .wait(14 * HOUR)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(10 * HOUR);
    sleeper
      .connect()
      .wait(14 * HOUR)
      .drop("connection_lost", "emqx:tcp_closed");
    expect(outageOf(endingLater(sleeper, 9 * HOUR))).toBeUndefined();
    expect(outageOf(endingLater(sleeper, 2 * DAY))?.severity).toBe("warning");
  });

  it("says nothing while the device is connected, or when only a late disconnect of its previous connection came last", () => {
    const online = new ScenarioBuilder("up-1");
    online
      .connect()
      .wait(DAY)
      .drop("connection_lost", "emqx:tcp_closed")
      .wait(2 * SECOND)
      .connect();
    expect(outageOf(endingLater(online, 2 * DAY))).toBeUndefined();
    const late = new ScenarioBuilder("late-1");
    late
      .connect()
      .wait(DAY)
      .connect()
      .wait(3 * SECOND)
      .drop("connection_lost", "emqx:tcp_closed");
    expect(outageOf(endingLater(late, 2 * DAY))).toBeUndefined();
  });
});

describe("an outage read from a feed that loses records", () => {
  it("is believed less when earlier disconnects came without a connect before them", () => {
    const s = new ScenarioBuilder("lossy-1");
    s.connect();
    for (let i = 0; i < 4; i += 1) s.wait(5 * HOUR).drop("connection_lost", "emqx:tcp_closed");
    s.wait(10 * SECOND)
      .connect()
      .wait(3 * HOUR)
      .drop("connection_lost", "emqx:tcp_closed");
    const outage = outageOf(endingLater(s, 3 * DAY));
    expect(outage?.confidence).toBeLessThan(0.7);
    expect(outage?.verdict).toContain("this feed has lost records before (3 connects or disconnects missing");
  });

  it("is no finding when the device's own reports show it connected after the broker's last drop", () => {
    const s = new ScenarioBuilder("agent-back-1");
    s.connect()
      .wait(5 * HOUR)
      .drop("connection_lost", "emqx:tcp_closed")
      .wait(HOUR);
    s.add("device_report", "connected", { code: "connack:0", message: "resumed on attempt 1 after 3600 s offline" });
    const input = endingLater(s, 3 * DAY);
    const events = input.events.map((event) => (event.kind === "device_report" ? { ...event, source: "linkscope-agent" } : event));
    expect(outageOf({ ...input, events })).toBeUndefined();
  });
});
