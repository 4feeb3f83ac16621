import { describe, expect, it } from "vitest";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseDeviceReport } from "./device-report.ts";

function one(result: AdapterResult): ConnectionEvent {
  if (!result.ok) throw new Error(`expected events, got rejection: ${result.error}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as ConnectionEvent;
}

const report = (error: string, extra: object = {}) =>
  one(parseDeviceReport({ deviceId: "d", occurredAt: "2026-11-22T10:00:00Z", error, ...extra }));

describe("device-reported errors (lifecycle-formats.md §1.6, §4.7, §9)", () => {
  it.each([
    // mosquitto_strerror() as libmosquitto 2.0 prints it (§4.7), and 2.1 (no closing period).
    ["The connection was lost.", "libmosquitto:the-connection-was-lost", "connection_lost"],
    ["The connection was refused.", "libmosquitto:the-connection-was-refused", "connection_lost"],
    ["Error: The connection was lost", "libmosquitto:the-connection-was-lost", "connection_lost"],
    ["A TLS error occurred", "libmosquitto:a-tls-error-occurred", "tls_error"],
    // mosquitto_connack_string(), 2.0 with a period and 2.1 without.
    ["Connection error: Connection Refused: not authorised.", "libmosquitto:connection-refused-not-authorised", "not_authorized"],
    ["Connection error: Connection Refused: not authorised", "libmosquitto:connection-refused-not-authorised", "not_authorized"],
    ["Connection Refused: bad user name or password", "libmosquitto:connection-refused-bad-user-name-or-password", "auth_failed"],
  ])("reads libmosquitto's %j as its own code, not as a Google IoT status string", (error, code, reason) => {
    expect(report(error)).toMatchObject({ kind: "device_report", code, reason });
  });

  it("still reads the Google / ClearBlade `The connection …` status strings", () => {
    expect(report("SERVER: The connection was closed because there is another active connection with the same device ID.")).toMatchObject({
      code: "gcp-iot:the-connection-was-closed-because-there-is-another-active-connection-with-the-same-device-id",
      reason: "session_taken_over",
    });
    expect(report("The connection broke or was closed by client", { platform: "clearblade" })).toMatchObject({
      code: "clearblade:the-connection-broke-or-was-closed-by-client",
      reason: "connection_lost",
    });
  });

  it("reads the published `Error 5136` form of a CRT error number (aws-iot-device-sdk-cpp-v2 #110)", () => {
    expect(report("Error 5136")).toMatchObject({ code: "crt:5136", reason: "client_disconnect", initiator: "client" });
    expect(report("Error 5134", { platform: "aws" })).toMatchObject({ code: "crt:5134", reason: "connection_lost" });
  });

  it("leaves an `Error NNNN` that is no CRT code, or from another platform, unrecognised", () => {
    expect(report("Error 4242").code).toBe("device:error-4242");
    expect(report("Error 5134", { platform: "azure" }).code).toBe("azure:error-5134");
  });
});
