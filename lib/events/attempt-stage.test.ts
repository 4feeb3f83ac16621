import { describe, expect, it } from "vitest";
import { listVendorCodes } from "@/lib/sources/vendor-codes.ts";
import { attemptOutcomeOf, listCodesWithStage, type AttemptOutcome } from "./attempt-stage.ts";
import type { EventKind } from "./connection-event.ts";

const codes = listVendorCodes();
const outcomeOf = (code: string, kind: EventKind, phase: "attempt" | "session" | null = null): AttemptOutcome => {
  const entry = codes.find((c) => c.code === code);
  if (!entry) throw new Error(`${code} is not in the vendor table`);
  return attemptOutcomeOf({ kind, reason: entry.reason, code }, phase);
};
const failedAt = (stage: string) => ({ outcome: "failed", stage });

describe("attemptOutcomeOf over the vendor code table", () => {
  it("lists only codes the vendor table knows", () => {
    const known = new Set(codes.map((c) => c.code));
    expect(listCodesWithStage().filter(([code]) => !known.has(code))).toEqual([]);
  });

  it("places every name-resolution code at dns", () => {
    const dns = codes.filter((c) => /DNS|lookup|resolve/i.test(`${c.code} ${c.meaning}`) && c.reason !== "unknown");
    expect(dns.length).toBeGreaterThanOrEqual(9);
    for (const { code } of dns) expect([code, outcomeOf(code, "device_report")]).toEqual([code, failedAt("dns")]);
  });

  it("places every TLS and certificate code at tls, whichever side logs it", () => {
    const tls = codes.filter((c) => c.reason === "tls_error");
    expect(tls.length).toBeGreaterThan(30);
    for (const { code } of tls) {
      for (const kind of ["device_report", "connect_failed", "disconnected"] as const)
        expect([code, kind, outcomeOf(code, kind)]).toEqual([code, kind, failedAt("tls")]);
    }
  });

  it("places every CONNACK refusal at mqtt-connect", () => {
    const refusals = codes.filter(
      (c) =>
        /^connack:[1-9]/.test(c.code) ||
        c.code.startsWith("libmosquitto:connection-refused") ||
        ["mqtt5:0x84", "mqtt5:0x85", "mqtt5:0x86", "mqtt5:0x87", "mqtt5:0x8A", "mqtt5:0x8C", "mqtt5:0x97", "mqtt5:0x9F"].includes(c.code) ||
        c.meaning.includes("CONNACK reason_code (refused connect)"),
    );
    expect(refusals.length).toBeGreaterThan(20);
    for (const { code } of refusals) {
      expect([code, outcomeOf(code, "connect_failed")]).toEqual([code, failedAt("mqtt-connect")]);
      expect([code, outcomeOf(code, "device_report", "attempt")]).toEqual([code, failedAt("mqtt-connect")]);
    }
  });

  it("places broker drops after a session at session", () => {
    const drops = codes.filter((c) =>
      ["keepalive_timeout", "connection_lost", "session_taken_over", "server_shutdown", "admin_disconnect", "session_ttl"].includes(
        c.reason,
      ),
    );
    for (const { code } of drops) {
      if (listCodesWithStage().some(([listed]) => listed === code)) continue;
      expect([code, outcomeOf(code, "disconnected")]).toEqual([code, failedAt("session")]);
    }
  });

  it("places socket errors by what they say about the path", () => {
    expect(outcomeOf("agent:ECONNREFUSED", "device_report")).toEqual(failedAt("tcp"));
    expect(outcomeOf("crt:1047", "device_report")).toEqual(failedAt("tcp"));
    expect(outcomeOf("libmosquitto:the-connection-was-refused", "device_report")).toEqual(failedAt("tcp"));
    expect(outcomeOf("agent:CONNACK_TIMEOUT", "device_report")).toEqual(failedAt("mqtt-connect"));
    expect(outcomeOf("hivemq:NO_CONNECT_IDLE_TIMEOUT", "disconnected")).toEqual(failedAt("mqtt-connect"));
    expect(outcomeOf("agent:ECONNRESET", "device_report")).toEqual(failedAt("session"));
    expect(outcomeOf("agent:ECONNRESET", "device_report", "attempt")).toEqual(failedAt("unknown"));
  });

  it("reads the agent's phase: a drop from a settled connection is a session lost, whatever the socket error", () => {
    expect(outcomeOf("agent:ETIMEDOUT", "device_report", "attempt")).toEqual(failedAt("tcp"));
    expect(outcomeOf("agent:ETIMEDOUT", "device_report", "session")).toEqual(failedAt("session"));
    expect(outcomeOf("mqtt5:0x87", "device_report", "session")).toEqual(failedAt("session"));
  });

  it("counts connects and clean closes as outcomes, and system events as none", () => {
    expect(outcomeOf("connack:0", "device_report")).toEqual({ outcome: "connected" });
    expect(outcomeOf("emqx:normal", "disconnected")).toEqual({ outcome: "closed" });
    expect(attemptOutcomeOf({ kind: "connected", reason: "connected", code: null })).toEqual({ outcome: "connected" });
    expect(outcomeOf("agent:system_event:power_save", "device_report")).toBeNull();
    expect(attemptOutcomeOf({ kind: "connect_failed", reason: "unknown", code: "emqx:brand_new" })).toEqual(failedAt("mqtt-connect"));
    expect(attemptOutcomeOf({ kind: "device_report", reason: "unknown", code: "device:strange" })).toEqual(failedAt("unknown"));
  });
});
