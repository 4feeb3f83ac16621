import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

const WIFI = "203.0.113.10";
const CELLULAR = "198.51.100.7";

const takeoverFinding = (s: ScenarioBuilder) => {
  const diagnosis = diagnoseDevice(s.input());
  return {
    finding: diagnosis.findings.find((candidate) => candidate.analyzer === "client-id-takeover"),
    critical: diagnosis.findings.filter((candidate) => candidate.severity === "critical").map((candidate) => candidate.title),
    uniqueId: diagnosis.findings.flatMap((candidate) => candidate.steps).find((step) => step.check === "unique-client-id"),
  };
};

const TWO_NETWORKS = "Session takeovers as the device moves between two networks";

/** Not a duplicate: no critical finding; the takeover finding titled so, at a modest confidence. */
function expectReading(s: ScenarioBuilder, title: string, severity: string, uniqueIdStatuses: readonly string[]) {
  const { finding, critical, uniqueId } = takeoverFinding(s);
  expect(critical).toEqual([]);
  expect(finding).toMatchObject({ title, severity });
  expect(finding?.confidence).toBeLessThanOrEqual(0.6);
  expect(uniqueIdStatuses).toContain(uniqueId?.status ?? "passed");
  return finding;
}

/** A connection ends in a takeover: the next connect (from `ip`) comes a few ms after the broker closed the old one. */
const takeOverFrom = (s: ScenarioBuilder, ip: string) => s.drop("session_taken_over", "emqx:takenover").wait(12).connect({ ip });

/** Two devices on one ID: each is kicked and comes back after its own reconnect delay, for `takeovers` rounds. */
function pingPong(s: ScenarioBuilder, ips: readonly string[], delays: (round: number) => number, takeovers: number): void {
  for (let round = 0; round < takeovers; round += 1) takeOverFrom(s.wait(delays(round)), ips[(round + 1) % ips.length] ?? WIFI);
}

describe("takeovers of a device alternating between two networks", () => {
  it("reads Wi-Fi → cellular → Wi-Fi failovers that take over at every switch as the device moving, not two devices", () => {
    const s = new ScenarioBuilder("gw-failover-1").connect({ ip: WIFI });
    const wifiStays = [3 * HOUR, 50 * MINUTE, 5 * HOUR, 2 * HOUR, 7 * HOUR, 95 * MINUTE];
    const cellularStays = [12 * MINUTE, 2 * MINUTE, 40 * MINUTE, 6 * MINUTE, 25 * MINUTE, 90 * SECOND];
    wifiStays.forEach((wifiStay, index) => {
      takeOverFrom(s.wait(wifiStay), CELLULAR);
      takeOverFrom(s.wait(cellularStays[index] ?? MINUTE), WIFI);
    });
    s.wait(2 * HOUR);
    const finding = expectReading(s, TWO_NETWORKS, "info", ["passed", "unknown"]);
    expect(finding?.verdict).toContain(`between ${WIFI} and ${CELLULAR}`);
  });

  it("reads failovers with a keepalive timeout and refused connects before each switch the same way", () => {
    const s = new ScenarioBuilder("gw-failover-2").connect({ ip: WIFI });
    const wifiStays = [4 * HOUR, 30 * MINUTE, 6 * HOUR, 3 * HOUR, 80 * MINUTE];
    const cellularStays = [20 * MINUTE, 3 * MINUTE, HOUR, 8 * MINUTE, 45 * MINUTE];
    wifiStays.forEach((wifiStay, index) => {
      // Wi-Fi dies quietly: the broker times the connection out, the modem's first connects fail while it attaches.
      s.wait(wifiStay).drop("keepalive_timeout", "emqx:keepalive_timeout");
      s.wait(20 * SECOND).refuse("server_error", "connack:3");
      s.wait(40 * SECOND).connect({ ip: CELLULAR });
      // Back on Wi-Fi as soon as it returns: the cellular connection is still open, so the broker takes it over.
      takeOverFrom(s.wait(cellularStays[index] ?? MINUTE), WIFI);
    });
    s.wait(HOUR);
    const finding = expectReading(s, TWO_NETWORKS, "info", ["passed", "unknown"]);
    expect(finding?.verdict).toContain("5 switches came after a drop");
  });

  it("says it cannot tell a second device from the device's own switching when a few quick swaps are all there is", () => {
    const s = new ScenarioBuilder("sparse-1").connect({ ip: WIFI });
    takeOverFrom(s.wait(40 * SECOND), CELLULAR);
    takeOverFrom(s.wait(30 * SECOND), WIFI);
    takeOverFrom(s.wait(50 * SECOND), CELLULAR);
    s.wait(5 * MINUTE);
    const title = "Session takeovers between two addresses (a second device or the device switching networks)";
    expectReading(s, title, "warning", ["unknown"]);
  });
});

describe("duplicate client IDs", () => {
  it("finds two devices ping-ponging every few seconds", () => {
    const s = new ScenarioBuilder("cam-9").connect({ ip: WIFI });
    pingPong(s, [WIFI, CELLULAR], (round) => (round % 2 === 0 ? 3 * SECOND : 5 * SECOND), 30);
    const { finding, uniqueId } = takeoverFinding(s);
    expect(finding?.severity).toBe("critical");
    expect(finding?.verdict).toMatch(/^Two devices share client ID cam-9: 30 takeovers alternate between/);
    expect(uniqueId?.status).toBe("failed");
  });

  it("finds two devices whose clients back off a minute before reconnecting", () => {
    const s = new ScenarioBuilder("meter-60").connect({ ip: WIFI });
    pingPong(s, [WIFI, CELLULAR], (round) => (55 + ((round * 7) % 13)) * SECOND, 24);
    s.wait(30 * SECOND);
    expect(takeoverFinding(s).finding?.severity).toBe("critical");
  });

  it("finds three devices on one ID", () => {
    const s = new ScenarioBuilder("tri-1").connect({ ip: WIFI });
    pingPong(s, [WIFI, CELLULAR, "192.0.2.33"], (round) => (4 + (round % 3) * 6) * SECOND, 27);
    const { finding } = takeoverFinding(s);
    expect(finding?.severity).toBe("critical");
    expect(finding?.verdict).toContain("(and 1 more addresses)");
  });

  it("finds a duplicate that runs only part of the day, the rest of the day one device holding the session", () => {
    const s = new ScenarioBuilder("shift-1").connect({ ip: WIFI }).wait(9 * HOUR);
    // The second unit is switched on for a 40 min test: it and the first kick each other every 20–30 s.
    pingPong(s, [WIFI, CELLULAR], (round) => (round % 2 === 0 ? 20 * SECOND : 30 * SECOND), 95);
    // Switched off while holding the session: it drops, the first device reconnects.
    s.wait(10 * SECOND)
      .drop("connection_lost", "emqx:tcp_closed")
      .wait(4 * SECOND)
      .connect({ ip: WIFI })
      .wait(14 * HOUR);
    expect(takeoverFinding(s).finding?.severity).toBe("critical");
  });
});

describe("takeovers from one address", () => {
  it("does not call a ping-pong every few seconds from one address the device's own reconnects", () => {
    // Two clients behind one address (two processes on the device, or two devices behind one NAT) on one ID.
    const s = new ScenarioBuilder("nat-dup").connect({ ip: WIFI }).wait(HOUR);
    pingPong(s, [WIFI], (round) => (round % 2 === 0 ? 4 * SECOND : 6 * SECOND), 40);
    s.wait(MINUTE);
    const { finding, uniqueId } = takeoverFinding(s);
    expect(finding?.title).toBe("Session ping-pong from one address (two clients on one ID, or reconnects over a live connection)");
    expect(finding?.confidence).toBeLessThan(0.5);
    expect(uniqueId?.status).toBe("unknown");
  });

  it("still reads takeovers hours apart from one address as the device's own reconnects", () => {
    const s = new ScenarioBuilder("own-1").connect({ ip: WIFI });
    pingPong(s, [WIFI], (round) => (2 + (round % 3)) * HOUR, 6);
    expect(takeoverFinding(s).finding?.title).toBe("Session taken over by the device's own reconnects");
  });
});
