import { describe, expect, it } from "vitest";
import { findFleetWideDrops } from "./detect-fleet-wide-drops.ts";
import { diagnoseDevice, orderFindings, pickVerdict } from "./diagnose-device.ts";
import { createTestRandom, HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";
import type { Finding } from "./types.ts";
import { verdictLabel } from "./verdict-label.ts";

const analyzersOf = (s: ScenarioBuilder) => diagnoseDevice(s.input()).findings.map((finding) => finding.analyzer);
const findingOf = (s: ScenarioBuilder, analyzer: string) =>
  diagnoseDevice(s.input()).findings.find((finding) => finding.analyzer === analyzer);

describe("client-ID takeover", () => {
  it("names both addresses when takeovers alternate between two devices", () => {
    const s = new ScenarioBuilder("cam-1");
    const ips = ["10.0.0.4", "10.0.0.9"];
    for (let i = 0; i < 12; i += 1)
      s.connect({ ip: ips[i % 2] })
        .wait(8 * SECOND)
        .drop("session_taken_over", "emqx:takenover")
        .wait(3);
    s.connect({ ip: "10.0.0.4" });
    const finding = findingOf(s, "client-id-takeover");
    expect(finding?.verdict).toBe("Two devices share client ID cam-1: 12 takeovers alternate between 10.0.0.4 and 10.0.0.9.");
    expect(finding?.severity).toBe("critical");
    expect(finding?.steps.find((step) => step.check === "unique-client-id")?.status).toBe("failed");
    expect(analyzersOf(s)).not.toContain("reconnect-storm");
  });

  it("says how many addresses its step leaves unnamed", () => {
    const s = new ScenarioBuilder("cam-2");
    const ips = ["10.0.0.4", "10.0.0.9", "10.0.0.4", "10.0.0.9", "127.0.0.4", "127.0.0.9"];
    for (let i = 0; i < 12; i += 1)
      s.connect({ ip: ips[i % ips.length] })
        .wait(8 * SECOND)
        .drop("session_taken_over", "emqx:takenover")
        .wait(3);
    const step = findingOf(s, "client-id-takeover")?.steps.find((candidate) => candidate.check === "unique-client-id");
    expect(step?.status).toBe("failed");
    expect(step?.detail).toMatch(/between 4 addresses \([\d.]+, [\d.]+, [\d.]+ and 1 more\)\.$/);
  });

  it("does not call takeovers from one address a duplicate ID", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 5; i += 1)
      s.connect({ ip: "10.0.0.4" })
        .wait(2 * HOUR)
        .drop("session_taken_over", "emqx:takenover")
        .wait(2 * SECOND);
    s.connect({ ip: "10.0.0.4" });
    const finding = findingOf(s, "client-id-takeover");
    expect(finding?.severity).toBe("info");
    expect(finding?.verdict).toContain("from the same address (10.0.0.4)");
    // Minor, and the device's own doing: not "Not the device".
    expect(finding && verdictLabel(finding)).toBe("Worth knowing");
  });
  it("does not call a device whose address changes at every reconnect (carrier NAT, roaming) a duplicate ID", () => {
    const s = new ScenarioBuilder("cell-1");
    for (let i = 0; i < 12; i += 1)
      s.connect({ ip: `100.64.${i}.7` })
        .wait(2 * HOUR)
        .drop("session_taken_over", "emqx:takenover")
        .wait(2 * SECOND);
    s.connect({ ip: "100.64.99.7" });
    const finding = findingOf(s, "client-id-takeover");
    expect(finding?.severity).toBe("info");
    expect(finding?.title).toBe("Session takeovers from a changing address");
    expect(finding?.verdict).toContain("12 of them by a connect from a new address (13 addresses, none returning");
    const uniqueId = diagnoseDevice(s.input())
      .findings.flatMap((candidate) => candidate.steps)
      .find((step) => step.check === "unique-client-id");
    expect(uniqueId?.status ?? "passed").toBe("passed");
  });

  it("reads takeovers from the same address as the device's own even when its address changed once between them", () => {
    const s = new ScenarioBuilder("moved-1");
    for (let i = 0; i < 12; i += 1)
      s.connect({ ip: i < 6 ? "10.0.0.4" : "10.0.9.9" })
        .wait(2 * HOUR)
        .drop("session_taken_over", "emqx:takenover")
        .wait(2 * SECOND);
    s.connect({ ip: "10.0.9.9" });
    const finding = findingOf(s, "client-id-takeover");
    expect(finding?.title).toBe("Session taken over by the device's own reconnects");
    expect(finding?.verdict).toContain("all but 1 from the address of the connection it replaced");
  });

  it("still finds two devices when a carrier NAT gives one of them a new address now and then", () => {
    const s = new ScenarioBuilder("cam-3");
    const ips = ["10.0.0.4", "10.0.0.9", "10.0.0.4", "10.0.0.9", "10.0.0.4", "100.64.0.1"];
    for (let i = 0; i < 18; i += 1)
      s.connect({ ip: ips[i % ips.length] })
        .wait(8 * SECOND)
        .drop("session_taken_over", "emqx:takenover")
        .wait(3);
    expect(findingOf(s, "client-id-takeover")?.title).toBe("Duplicate client ID (takeover ping-pong)");
  });
});

describe("reconnect storms", () => {
  it("flags sub-second retries whose gaps do not grow", () => {
    const s = new ScenarioBuilder("plug-1");
    for (let burst = 0; burst < 3; burst += 1) {
      s.connect()
        .wait(2 * HOUR)
        .drop("connection_lost", "emqx:tcp_closed");
      for (let i = 0; i < 15; i += 1) s.wait(200).connect().wait(100).drop("connection_lost", "emqx:tcp_closed");
      s.wait(200);
    }
    s.connect();
    const finding = findingOf(s, "reconnect-storm");
    expect(finding?.verdict).toMatch(
      /^Retries \d+ times within 1 s of the previous failure \(median gap 200 ms\) in 3 bursts of up to 16 retries; the gaps do not grow: no backoff\.$/,
    );
    expect(finding?.steps[0]).toMatchObject({ check: "reconnect-backoff", status: "failed" });
  });

  it("accepts exponential backoff", () => {
    const s = new ScenarioBuilder();
    s.connect().wait(HOUR).drop("connection_lost");
    for (const wait of [1, 2, 4, 8, 16, 32, 60]) s.wait(wait * SECOND).refuse("server_error", "connack:3");
    s.wait(60 * SECOND).connect();
    expect(analyzersOf(s)).not.toContain("reconnect-storm");
  });
});

describe("authentication, TLS and client-ID failures", () => {
  it("says every connect was refused when none succeeded", () => {
    const s = new ScenarioBuilder("valve-1");
    for (let i = 0; i < 6; i += 1) s.refuse("auth_failed", "emqx:bad_username_or_password").wait(15 * MINUTE);
    const finding = findingOf(s, "auth-failures");
    expect(finding?.severity).toBe("critical");
    expect(finding?.verdict).toContain(
      "All 6 connect attempts since 2026-11-01 00:00:00 UTC were refused with emqx:bad_username_or_password and none succeeded",
    );
    expect(finding?.steps.find((step) => step.check === "credentials-accepted")?.status).toBe("failed");
  });

  it("reads the JWT sub-cause from the server's message", () => {
    const s = new ScenarioBuilder();
    s.connect().wait(HOUR).drop("connection_lost");
    s.wait(SECOND)
      .refuse("auth_failed", "connack:4", "JWT audience mismatch")
      .wait(SECOND)
      .refuse("auth_failed", "connack:4", "token iat is in the future: clock skew");
    const finding = findingOf(s, "auth-failures");
    expect(finding?.verdict).toContain("wrong audience (aud), clock skew");
  });

  it("ignores a single refusal followed by success", () => {
    const s = new ScenarioBuilder();
    s.refuse("auth_failed", "connack:4")
      .wait(5 * SECOND)
      .connect();
    expect(analyzersOf(s)).toEqual([]);
  });

  it("flags TLS failures and rejected client IDs", () => {
    const s = new ScenarioBuilder();
    s.refuse("tls_error", "crt:1183").wait(SECOND).refuse("protocol_error", "connack:2");
    const ids = analyzersOf(s);
    expect(ids).toContain("tls-failures");
    expect(ids).toContain("client-id-rejected");
    expect(ids).not.toContain("auth-failures");
  });
});

describe("keepalive, rate limiting and system events", () => {
  it("warns about a keepalive longer than NAT idle timeouts with the 1.5 × detection delay", () => {
    const s = new ScenarioBuilder();
    s.connect({ keepaliveSec: 1200 });
    const finding = findingOf(s, "keepalive-too-long");
    expect(finding?.verdict).toContain("1200 s keepalive");
    expect(finding?.verdict).toContain("after 1800 s");
  });

  it("keeps quiet about a 60 s keepalive", () => {
    const s = new ScenarioBuilder();
    s.connect({ keepaliveSec: 60 });
    expect(analyzersOf(s)).toEqual([]);
  });

  it("reports keepalive timeouts with the detection delay", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 4; i += 1)
      s.connect({ keepaliveSec: 60 })
        .wait((3 + i * 2) * HOUR)
        .drop("keepalive_timeout", "emqx:keepalive_timeout")
        .wait(5 * MINUTE);
    expect(findingOf(s, "keepalive-timeouts")?.verdict).toContain("1.5 × keepalive (90 s) 4 times");
    expect(analyzersOf(s)).not.toContain("irregular-drops");
  });

  it("lists each step once when the analyzer and the knowledge base both suggest it", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 4; i += 1)
      s.connect({ keepaliveSec: 60 })
        .wait((3 + i * 2) * HOUR)
        .drop("keepalive_timeout", "emqx:keepalive_timeout")
        .wait(5 * MINUTE);
    const texts = findingOf(s, "keepalive-timeouts")?.steps.map((step) => step.text) ?? [];
    expect(texts.filter((text) => text.includes("ping loop"))).toHaveLength(1);
  });

  it("attributes throttling drops to rate limiting, and not other drops", () => {
    const s = new ScenarioBuilder();
    s.connect().wait(HOUR).drop("throttled", "aws:THROTTLED").wait(SECOND).connect();
    expect(findingOf(s, "rate-limiting")?.codes).toEqual(["aws:THROTTLED"]);
    const calm = new ScenarioBuilder();
    calm.connect().wait(HOUR).drop("connection_lost").wait(SECOND).connect();
    expect(analyzersOf(calm)).not.toContain("rate-limiting");
  });

  it("links drops to device-reported system events", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 3; i += 1)
      s.connect()
        .wait((5 + i) * HOUR)
        .add("device_report", "unknown", { code: "agent:SYSTEM_SUSPEND" })
        .wait(30 * SECOND)
        .drop("connection_lost")
        .wait(MINUTE);
    expect(findingOf(s, "system-event-drops")?.verdict).toMatch(
      /^3 of 3 drops came within 2 min of a system event the device reported \(suspend\)/,
    );
    const unrelated = new ScenarioBuilder();
    unrelated.add("device_report", "unknown", { code: "agent:SYSTEM_SUSPEND" }).wait(HOUR);
    for (let i = 0; i < 3; i += 1)
      unrelated
        .connect()
        .wait((5 + i) * HOUR)
        .drop("connection_lost")
        .wait(MINUTE);
    expect(analyzersOf(unrelated)).not.toContain("system-event-drops");
  });
});

describe("irregular drops", () => {
  it("calls frequent random drops a network problem and counts address changes", () => {
    const random = createTestRandom(3);
    const s = new ScenarioBuilder();
    for (let i = 0; i < 30; i += 1)
      s.connect({ ip: `10.9.0.${i % 3}` })
        .wait(-Math.log(1 - random()) * 40 * MINUTE + MINUTE)
        .drop("connection_lost", "emqx:tcp_closed")
        .wait(5 * SECOND);
    const finding = findingOf(s, "irregular-drops");
    expect(finding?.verdict).toMatch(/^30 drops at irregular intervals/);
    expect(finding?.verdict).toContain("the address changed 29 times");
  });

  it("does not alarm on a rare drop", () => {
    const s = new ScenarioBuilder();
    for (let i = 0; i < 3; i += 1)
      s.connect()
        .wait(3 * 24 * HOUR)
        .drop("connection_lost")
        .wait(10 * SECOND);
    s.connect();
    expect(analyzersOf(s)).toEqual([]);
  });
});

describe("fleet-wide drops", () => {
  const buildFleetScenario = () => {
    const s = new ScenarioBuilder("sensor-7");
    const fleetMinutes = new Map<number, number>();
    for (let i = 0; i < 8; i += 1) {
      s.connect()
        .wait((2 + i) * HOUR + 13 * MINUTE)
        .drop("server_shutdown", "emqx:server_shutting_down");
      fleetMinutes.set(Math.floor(s.now / MINUTE) * MINUTE, 39);
      s.wait(20 * SECOND);
    }
    s.connect();
    return { s, fleet: { devicesTotal: 50, otherDevicesDropping: fleetMinutes } };
  };

  it("marks drops that happened with the fleet and does not blame the device for them", () => {
    const { s, fleet } = buildFleetScenario();
    const diagnosis = diagnoseDevice(s.input(fleet));
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["fleet-wide-drops"]);
    expect(diagnosis.verdict?.severity).toBe("info");
    expect(diagnosis.verdict?.verdict).toContain(
      "All 8 of this device's drops happened while up to 39 other devices dropped within a minute of them",
    );
  });

  it("without fleet context the same drops are the device's", () => {
    const { s } = buildFleetScenario();
    expect(analyzersOf(s)).not.toContain("fleet-wide-drops");
  });

  it("uses a threshold relative to the fleet size, counted in other devices", () => {
    const drop = {
      id: "1",
      kind: "disconnected" as const,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 1, 59)),
      reason: "server_shutdown" as const,
      initiator: "server" as const,
      code: null,
      message: null,
      clientIp: null,
      keepaliveSec: null,
    };
    const minute = Date.UTC(2026, 0, 1, 0, 1);
    expect(findFleetWideDrops([drop], { devicesTotal: 100, otherDevicesDropping: new Map([[minute, 21]]) }).get("1")).toBe(21);
    expect(findFleetWideDrops([drop], { devicesTotal: 100, otherDevicesDropping: new Map([[minute, 19]]) }).size).toBe(0);
    expect(findFleetWideDrops([drop], { devicesTotal: 10, otherDevicesDropping: new Map([[minute, 4]]) }).size).toBe(0);
    expect(findFleetWideDrops([drop], { devicesTotal: 10, otherDevicesDropping: new Map([[minute, 5]]) }).size).toBe(1);
    expect(findFleetWideDrops([drop], { devicesTotal: 10, otherDevicesDropping: new Map([[minute + MINUTE, 50]]) }).size).toBe(0);
  });
});

describe("ordering", () => {
  const make = (analyzer: string, confidence: number, severity: Finding["severity"]): Finding => ({
    analyzer,
    title: analyzer,
    verdict: analyzer,
    severity,
    confidence,
    evidence: { eventIds: [], stats: {}, range: null },
    codes: [],
    steps: [],
  });

  it("orders by confidence, then severity, and the banner prefers the most confident alarming finding", () => {
    const ordered = orderFindings([
      make("a", 0.5, "critical"),
      make("b", 0.9, "info"),
      make("c", 0.7, "warning"),
      make("d", 0.7, "critical"),
    ]);
    expect(ordered.map((finding) => finding.analyzer)).toEqual(["b", "d", "c", "a"]);
    expect(pickVerdict(ordered)?.analyzer).toBe("d");
    expect(pickVerdict([make("e", 0.8, "expected")])?.analyzer).toBe("e");
    expect(pickVerdict([])).toBeNull();
  });

  it("puts a duplicate-ID finding above the keepalive warning on the same device", () => {
    const s = new ScenarioBuilder("cam-2");
    for (let i = 0; i < 12; i += 1)
      s.connect({ ip: i % 2 === 0 ? "10.0.0.4" : "10.0.0.9", keepaliveSec: 900 })
        .wait(8 * SECOND)
        .drop("session_taken_over", "emqx:takenover")
        .wait(3);
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.findings.map((finding) => finding.analyzer)).toEqual(["client-id-takeover", "keepalive-too-long"]);
    expect(diagnosis.verdict?.analyzer).toBe("client-id-takeover");
  });
});
