import { describe, expect, it } from "vitest";
import { diagnoseDevice } from "./diagnose-device.ts";
import { HOUR, MINUTE, ScenarioBuilder, SECOND } from "./scenario-builder.ts";

/** Connects that each die `uptimeMs` in, retried with a growing backoff (so no retry-storm finding claims them). */
function diesAfterConnecting(reason: Parameters<ScenarioBuilder["drop"]>[0], code: string, uptimeMs: number): ScenarioBuilder {
  const s = new ScenarioBuilder("valve-7");
  for (const backoffSec of [1, 2, 4, 8, 16, 32, 60, 60, 60, 60])
    s.connect()
      .wait(uptimeMs)
      .drop(reason, code)
      .wait(backoffSec * SECOND);
  return s;
}

describe("connections the broker ends right after connecting", () => {
  it("reads an authorization cut 200 ms in as a denied topic, not an expiring credential", () => {
    const diagnosis = diagnoseDevice(diesAfterConnecting("not_authorized", "aws:AUTH_ERROR", 200).input());
    expect(diagnosis.verdict?.analyzer).toBe("drops-right-after-connect");
    expect(diagnosis.verdict?.severity).toBe("critical");
    expect(diagnosis.verdict?.verdict).toContain("policy or ACL does not allow");
    // It said "the token … expires or is revoked while connected. The lifetimes differ" of ten 200 ms connections.
    expect(diagnosis.findings.map((finding) => finding.analyzer)).not.toContain("credential-drops");
  });

  it("names a protocol violation at the first packets, and a close with no code", () => {
    const tooLarge = diagnoseDevice(diesAfterConnecting("protocol_error", "mqtt5:0x95", 300).input());
    expect(tooLarge.verdict?.title).toBe("Connections ended right after connecting (protocol violation)");
    expect(tooLarge.verdict?.steps.find((step) => step.check === "protocol-clean")?.status).toBe("failed");
    const closed = diagnoseDevice(diesAfterConnecting("connection_lost", "aws:CONNECTION_LOST", 150).input());
    expect(closed.verdict?.title).toBe("Connections ended right after connecting");
    expect(closed.verdict?.verdict).toMatch(/^10 connections ended 150 ms after connecting \(median\)/);
  });

  it("stays below a retry loop without backoff, whose finding leads", () => {
    const s = new ScenarioBuilder("plug-3");
    for (let i = 0; i < 12; i += 1) s.connect().wait(50).drop("connection_lost", "emqx:tcp_closed").wait(200);
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("reconnect-storm");
    const below = diagnosis.findings.find((finding) => finding.analyzer === "drops-right-after-connect");
    expect(below?.severity).toBe("info");
  });

  it("leaves connections that lived a while to the other findings", () => {
    const s = new ScenarioBuilder("meter-1");
    for (const minutes of [37, 122, 15, 300, 64, 200])
      s.connect()
        .wait(minutes * MINUTE)
        .drop("connection_lost", "aws:CONNECTION_LOST")
        .wait(3 * SECOND);
    s.connect();
    expect(diagnoseDevice(s.input()).findings.map((finding) => finding.analyzer)).not.toContain("drops-right-after-connect");
  });
});

describe("connections the server ends for protocol violations or its own errors", () => {
  it("reports protocol violations after connections had lived a while", () => {
    const s = new ScenarioBuilder("cam-4");
    for (const minutes of [37, 122, 15, 300, 64, 200, 45, 90])
      s.connect()
        .wait(minutes * MINUTE)
        .drop("protocol_error", "aws:CLIENT_ERROR")
        .wait(3 * SECOND);
    s.connect();
    const diagnosis = diagnoseDevice(s.input());
    // Eight drops for protocol violations had no finding at all.
    expect(diagnosis.verdict?.analyzer).toBe("protocol-errors");
    expect(diagnosis.verdict?.verdict).toContain("8 connections for protocol violations (aws:CLIENT_ERROR)");
  });

  it("puts repeated server errors on the server's side", () => {
    const s = new ScenarioBuilder("hub-2");
    for (let i = 0; i < 8; i += 1)
      s.connect()
        .wait(3 * HOUR + i * 7 * MINUTE)
        .drop("server_error", "aws:SERVER_ERROR")
        .wait(2 * SECOND);
    s.connect();
    const diagnosis = diagnoseDevice(s.input());
    expect(diagnosis.verdict?.analyzer).toBe("server-errors");
    expect(diagnosis.verdict?.verdict).toContain("a fault on the broker's side, not the device's");
  });

  it("says nothing of a single protocol error or two server errors", () => {
    const s = new ScenarioBuilder("hub-3");
    s.connect()
      .wait(2 * HOUR)
      .drop("protocol_error", "mqtt5:0x82")
      .wait(2 * SECOND);
    s.connect()
      .wait(5 * HOUR)
      .drop("server_error", "aws:SERVER_ERROR")
      .wait(2 * SECOND);
    s.connect()
      .wait(5 * HOUR)
      .drop("server_error", "aws:SERVER_ERROR")
      .wait(2 * SECOND);
    s.connect();
    const analyzers = diagnoseDevice(s.input()).findings.map((finding) => finding.analyzer);
    expect(analyzers).not.toContain("protocol-errors");
    expect(analyzers).not.toContain("server-errors");
  });
});
