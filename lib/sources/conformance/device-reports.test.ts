import { describe, expect, it } from "vitest";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { CRT_ERRORS } from "../vendor-codes.ts";
import { readAsWebhook } from "./read-as-webhook.ts";

// lifecycle-formats.md §1.6, §2.5, §4.7, §5.2, §6, §8, §9: what devices log, uploaded as device reports.

const report = (fields: object) => JSON.stringify({ deviceId: "d1", occurredAt: "2026-11-22T10:00:00Z", ...fields });
function readReport(fields: object) {
  const { events, rejections } = readAsWebhook("device-report", report(fields));
  expect(rejections).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0];
}

describe("MQTT 3.1.1 CONNACK return codes (§6.1, with aedes' 6 and ClearBlade's 13)", () => {
  it.each([
    [1, "protocol_error"],
    [2, "protocol_error"],
    [3, "server_error"],
    [4, "auth_failed"],
    [5, "not_authorized"],
    [6, "protocol_error"],
    [13, "unknown"],
  ] as const)("connackCode %d → %s, refused by the server", (code, reason) => {
    expect(readReport({ connackCode: code })).toMatchObject({
      kind: "device_report",
      code: `connack:${code}`,
      reason,
      at: "2026-11-22T10:00:00.000Z",
    });
  });
});

/** §6.2: every CONNACK- or DISCONNECT-valid code ≥ 0x80, and 0x04. */
const MQTT5_CODES: ReadonlyArray<readonly [number, Reason]> = [
  [0x04, "client_disconnect"],
  [0x80, "server_error"],
  [0x81, "protocol_error"],
  [0x82, "protocol_error"],
  [0x83, "server_error"],
  [0x84, "protocol_error"],
  [0x85, "protocol_error"],
  [0x86, "auth_failed"],
  [0x87, "not_authorized"],
  [0x88, "server_error"],
  [0x89, "throttled"],
  [0x8a, "not_authorized"],
  [0x8b, "server_shutdown"],
  [0x8c, "auth_failed"],
  [0x8d, "keepalive_timeout"],
  [0x8e, "session_taken_over"],
  [0x8f, "protocol_error"],
  [0x90, "protocol_error"],
  [0x93, "throttled"],
  [0x94, "protocol_error"],
  [0x95, "protocol_error"],
  [0x96, "throttled"],
  [0x97, "quota_exceeded"],
  [0x98, "admin_disconnect"],
  [0x99, "protocol_error"],
  [0x9a, "protocol_error"],
  [0x9b, "protocol_error"],
  [0x9c, "server_shutdown"],
  [0x9d, "server_shutdown"],
  [0x9e, "protocol_error"],
  [0x9f, "throttled"],
  [0xa0, "session_ttl"],
  [0xa1, "protocol_error"],
  [0xa2, "protocol_error"],
];

describe("MQTT 5 reason codes (§6.2), as a number, in hex and by the name libmosquitto prints", () => {
  it.each(MQTT5_CODES)("0x%s", (code, reason) => {
    const hex = `0x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    expect(readReport({ reasonCode: code })).toMatchObject({ code: `mqtt5:${hex}`, reason });
    expect(readReport({ reasonCode: hex.toLowerCase() })).toMatchObject({ code: `mqtt5:${hex}`, reason });
  });
});

describe("AWS CRT errors (§1.6): every number, its name, and the four published string forms", () => {
  const FAMILY: Record<string, Reason[]> = {
    TLS: ["tls_error", "connection_lost"],
    DNS: ["connection_lost"],
    SOCKET: ["connection_lost"],
  };
  it.each(CRT_ERRORS.map(([n, name]) => [n, name] as const))("%d %s", (n, name) => {
    const byNumber = readReport({ crtCode: n });
    const byName = readReport({ error: `libaws-c-mqtt: ${name}, message` });
    const python = readReport({ error: `AwsCrtError(name='${name}', message='m', code=${n})` });
    expect(byNumber).toMatchObject({ code: `crt:${n}` });
    expect([byName?.code, python?.code]).toEqual([`crt:${n}`, `crt:${n}`]);
    // The name's own words: a TLS, DNS or socket failure is never read as credentials or a protocol fault.
    const family = Object.keys(FAMILY).find((key) => name.includes(`_${key}_`));
    if (family) expect(FAMILY[family]).toContain(byNumber?.reason);
  });
});

/** §2.5 IOTHUB_CLIENT_CONNECTION_STATUS_REASON values. */
const AZURE_SDK_REASONS: ReadonlyArray<readonly [string, Reason, Initiator]> = [
  ["IOTHUB_CLIENT_CONNECTION_EXPIRED_SAS_TOKEN", "credential_expired", "client"],
  ["IOTHUB_CLIENT_CONNECTION_DEVICE_DISABLED", "not_authorized", "server"],
  ["IOTHUB_CLIENT_CONNECTION_BAD_CREDENTIAL", "auth_failed", "server"],
  ["IOTHUB_CLIENT_CONNECTION_RETRY_EXPIRED", "connection_lost", "client"],
  ["IOTHUB_CLIENT_CONNECTION_NO_NETWORK", "connection_lost", "network"],
  ["IOTHUB_CLIENT_CONNECTION_COMMUNICATION_ERROR", "connection_lost", "network"],
  ["IOTHUB_CLIENT_CONNECTION_NO_PING_RESPONSE", "keepalive_timeout", "network"],
];

describe("Azure IoT C SDK connection status reasons (§2.5)", () => {
  it.each(AZURE_SDK_REASONS)("%s → %s (%s), alone or after the status the callback prints first", (name, reason, initiator) => {
    expect(readReport({ error: name })).toMatchObject({ code: `azure:${name}`, reason, initiator });
    // The SDK samples' callback: `Connection Status result:%s, Connection Status reason: %s`.
    const line = `Connection Status result:IOTHUB_CLIENT_CONNECTION_UNAUTHENTICATED, Connection Status reason: ${name}`;
    expect(readReport({ error: line })).toMatchObject({ code: `azure:${name}`, reason, initiator });
  });
});

describe("libmosquitto, aedes, ClearBlade and Google IoT strings (§4.7, §5.2, §8, §9)", () => {
  it.each([
    [
      "Connection Refused: unacceptable protocol version.",
      "libmosquitto:connection-refused-unacceptable-protocol-version",
      "protocol_error",
    ],
    ["Connection Refused: identifier rejected.", "libmosquitto:connection-refused-identifier-rejected", "protocol_error"],
    ["Connection Refused: broker unavailable.", "libmosquitto:connection-refused-broker-unavailable", "server_error"],
    ["Connection Refused: unknown reason.", "libmosquitto:connection-refused-unknown-reason", "unknown"],
    ["Authorisation failed.", "libmosquitto:authorisation-failed", "not_authorized"],
    ["Keepalive exceeded", "libmosquitto:keepalive-exceeded", "keepalive_timeout"],
    ["TLS handshake failed.", "libmosquitto:tls-handshake-failed", "tls_error"],
    ["Lookup error.", "libmosquitto:lookup-error", "connection_lost"],
    ["DNS Lookup failed", "libmosquitto:dns-lookup-failed", "connection_lost"],
    [
      "A network protocol error occurred when communicating with the broker.",
      "libmosquitto:a-network-protocol-error-occurred-when-communicating-with-the-broker",
      "protocol_error",
    ],
    ["Connection error: Not authorized", "mqtt5:0x87", "not_authorized"],
    ["[16] mqtt: SERVER: The authorization token expired.", "gcp-iot:the-authorization-token-expired", "credential_expired"],
  ] as const)("%s → %s (%s)", (error, code, reason) => {
    expect(readReport({ error })).toMatchObject({ code, reason });
  });

  it.each([
    ["connect did not arrive in time", "aedes:connect-did-not-arrive-in-time", "idle_timeout"],
    ["keep alive timeout", "aedes:keep-alive-timeout", "keepalive_timeout"],
    ["Auth error", "aedes:auth-error", "auth_failed"],
    ["identifier rejected", "aedes:identifier-rejected", "protocol_error"],
    ["Server unavailable", "aedes:server-unavailable", "server_error"],
    ["bad user name or password", "aedes:bad-user-name-or-password", "auth_failed"],
    ["not authorized", "aedes:not-authorized", "not_authorized"],
    ["unacceptable protocol version", "aedes:unacceptable-protocol-version", "protocol_error"],
    ["keep alive limit exceeded", "aedes:keep-alive-limit-exceeded", "protocol_error"],
    ["drain timeout", "aedes:drain-timeout", "connection_lost"],
    ["connection closed", "aedes:connection-closed", "connection_lost"],
    ["Client queue limit reached", "aedes:client-queue-limit-reached", "quota_exceeded"],
    ["ECONNRESET", "aedes:econnreset", "connection_lost"],
    ["EPIPE", "aedes:epipe", "connection_lost"],
    ["ETIMEDOUT", "aedes:etimedout", "connection_lost"],
  ] as const)("aedes clientError %j → %s (%s)", (error, code, reason) => {
    expect(readReport({ error, platform: "aedes" })).toMatchObject({ code, reason });
  });
});
