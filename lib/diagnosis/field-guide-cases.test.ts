import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { createTestRandom, HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import type { DiagnosisEvent, FleetContext } from "./types.ts";

const minuteOf = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

describe("throttling during a fleet-wide event", () => {
  it("does not blame the device's rate when the whole fleet was throttled with it", () => {
    // IoT Hub answers ServerBusy (503005, a throttle) to every device while it is overloaded.
    const s = new ScenarioBuilder("meter-7").connect();
    const fleetMinutes = new Map<number, number>();
    for (const hoursLater of [5, 19, 40]) {
      s.wait(hoursLater * HOUR).drop("throttled", "azure:503005");
      fleetMinutes.set(minuteOf(s.now), 40);
      s.wait(5 * SECOND).connect();
    }
    const fleet: FleetContext = { devicesTotal: 50, otherDevicesDropping: fleetMinutes };
    const diagnosis = diagnoseDevice(s.input(fleet));
    expect(diagnosis.verdict?.analyzer).toBe("fleet-wide-drops");
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("rate-limiting");
  });

  it("still finds the device's own throttling beside a fleet-wide one", () => {
    const s = new ScenarioBuilder("meter-8").connect();
    const fleetMinutes = new Map<number, number>();
    s.wait(3 * HOUR).drop("throttled", "aws:THROTTLED");
    fleetMinutes.set(minuteOf(s.now), 40);
    for (let i = 0; i < 3; i += 1)
      s.wait(5 * SECOND)
        .connect()
        .wait(7 * HOUR)
        .drop("throttled", "aws:THROTTLED");
    s.wait(5 * SECOND).connect();
    const diagnosis = diagnoseDevice(s.input({ devicesTotal: 50, otherDevicesDropping: fleetMinutes }));
    const finding = diagnosis.findings.find((item) => item.analyzer === "rate-limiting");
    expect(finding?.evidence.stats.rateLimited).toBe(3);
  });
});

describe("a connection time limit is not a credential's lifetime", () => {
  function everyDay(reason: "session_ttl", code: string) {
    const s = new ScenarioBuilder("gw-ws").connect();
    for (let i = 0; i < 6; i += 1)
      s.wait(24 * HOUR + i * SECOND)
        .drop(reason, code)
        .wait(SECOND)
        .connect();
    return diagnoseDevice(s.input());
  }

  it("calls AWS's 24 h WebSocket TTL the server's connection limit, not a JWT expiry", () => {
    const { verdict } = everyDay("session_ttl", "aws:WEBSOCKET_TTL_EXPIRATION");
    expect(verdict?.analyzer).toBe("periodic-drops");
    expect(verdict?.evidence.stats.kind).toBe("lifetime");
    expect(verdict?.title).not.toMatch(/JWT|credential/);
    expect(verdict?.verdict).toContain("maximum duration");
    const step = verdict?.steps.find((item) => item.check === "renews-before-expiry");
    expect(step?.status).toBe("failed");
  });
});

describe("an unconfirmed period hints only at causes its codes leave room for", () => {
  it("does not liken daily server shutdowns to a 24 h JWT lifetime", () => {
    const s = new ScenarioBuilder("plc-3").connect();
    for (let i = 0; i < 7; i += 1)
      s.wait(24 * HOUR - 30 * SECOND + i * SECOND)
        .drop("server_shutdown", "mqtt5:0x8B")
        .wait(30 * SECOND)
        .connect();
    const { verdict } = diagnoseDevice(s.input());
    expect(verdict?.analyzer).toBe("periodic-drops");
    expect(verdict?.verdict).not.toContain("JWT");
    expect(verdict?.verdict).toContain("the server ended the connections");
  });

  it("still names the token lifetime an hourly drop without a reason resembles", () => {
    const s = new ScenarioBuilder("hub-eg").add("connected", "connected");
    for (let i = 0; i < 8; i += 1)
      s.wait(65 * MINUTE + i * SECOND)
        .add("disconnected", "unknown")
        .wait(30 * SECOND)
        .add("connected", "connected");
    const { verdict } = diagnoseDevice(s.input());
    expect(verdict?.evidence.stats.kind).toBe("timer");
    expect(verdict?.verdict).toContain("matches a token lifetime of about an hour");
  });
});

describe("Azure SAS renewal as the Connections log records it", () => {
  // The codes and reasons lib/sources/azure.ts gives these records (401003 → auth_failed, 404104 → connection_lost).
  function renewals(record: (s: ScenarioBuilder) => void) {
    const s = new ScenarioBuilder("azure-dev").connect();
    for (let i = 0; i < 8; i += 1) {
      s.wait(65 * MINUTE);
      record(s);
      s.wait(4 * SECOND).connect();
    }
    return diagnoseDevice(s.input());
  }

  it("is the renewal when both records share a second and the 404104 is stored first", () => {
    const diagnosis = renewals((s) => s.drop("connection_lost", "azure:404104").drop("auth_failed", "azure:401003"));
    expect(diagnosis.summary.drops).toBe(8);
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
  });

  it("is the renewal when only the 401003 disconnect was logged before the quick reconnect", () => {
    const diagnosis = renewals((s) => s.drop("auth_failed", "azure:401003"));
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["token-renewal"]);
  });

  it("is no renewal when the attempts after a 404104 are refused with 401003 (bad credentials after a network drop)", () => {
    const s = new ScenarioBuilder("azure-dev").connect();
    for (let i = 0; i < 6; i += 1)
      s.wait((40 + 17 * i) * MINUTE)
        .drop("connection_lost", "azure:404104")
        .wait(SECOND)
        .refuse("auth_failed", "azure:401003", "IoTHubUnauthorized")
        .wait(4 * SECOND)
        .connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("token-renewal");
    expect(diagnosis.verdict?.analyzer).toBe("auth-failures");
  });

  it("is no renewal when the retries after the 404104 keep being refused", () => {
    const s = new ScenarioBuilder("azure-dev")
      .connect()
      .wait(65 * MINUTE)
      .drop("connection_lost", "azure:404104");
    for (let i = 0; i < 5; i += 1) s.wait(20 * SECOND).refuse("auth_failed", "azure:401003", "IoTHubUnauthorized");
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("auth-failures");
    expect(diagnosis.verdict?.severity).toBe("critical");
  });
});

describe("a device clock minutes off the broker's", () => {
  // Broker events plus the agent's reports of the same drops and reconnects, stamped by a device clock `skewMs` ahead.
  function withAgent(skewMs: number) {
    const random = createTestRandom(5);
    const s = new ScenarioBuilder("sensor-skew").connect();
    const reports: DiagnosisEvent[] = [];
    const report = (at: number, fields: Pick<DiagnosisEvent, "reason" | "code" | "message">): DiagnosisEvent => ({
      id: `agent-${reports.length}`,
      kind: "device_report",
      occurredAt: new Date(at + skewMs),
      initiator: "client",
      clientIp: null,
      keepaliveSec: null,
      ...fields,
    });
    let connectedAt = s.now;
    for (let i = 0; i < 14; i += 1) {
      s.wait(-Math.log(1 - random()) * 90 * MINUTE).drop("connection_lost", "aws:CONNECTION_LOST");
      const message = `dropped after ${Math.round((s.now - connectedAt) / SECOND)} s connected: The connection was closed unexpectedly.`;
      reports.push(report(s.now + 800, { reason: "connection_lost", code: "agent:AWS_ERROR_MQTT_UNEXPECTED_HANGUP", message }));
      s.wait(2 * SECOND).connect();
      connectedAt = s.now;
      reports.push(report(s.now + 300, { reason: "connected", code: "connack:0", message: "resumed on attempt 1 after 2 s offline" }));
    }
    const input = s.wait(HOUR).input();
    return diagnoseDevice({ ...input, events: [...input.events, ...reports] });
  }

  it("counts each drop once and keeps the broker's reading when the device clock runs 5 min ahead or 3 min behind", () => {
    const reference = withAgent(0);
    expect(reference.summary.drops).toBe(14);
    for (const skew of [5 * MINUTE, -3 * MINUTE]) {
      const diagnosis = withAgent(skew);
      expect(diagnosis.summary.drops).toBe(14);
      expect(diagnosis.verdict?.analyzer).toBe(reference.verdict?.analyzer);
      expect(diagnosis.verdict?.evidence.stats.typicalUptimeSec).toBe(reference.verdict?.evidence.stats.typicalUptimeSec);
    }
  });
});
