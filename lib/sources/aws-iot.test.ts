import { describe, expect, it } from "vitest";
import { parseAwsCloudWatchEntry, parseAwsPresenceMessage } from "./aws-iot.ts";

const connected = {
  clientId: "dev-1",
  timestamp: 1_764_000_000_000,
  eventType: "connected",
  sessionIdentifier: "s-1",
  versionNumber: 3,
  principalIdentifier: "p",
  ipAddress: "10.0.0.1",
};

describe("AWS IoT presence topics", () => {
  it("reads an event on its `$aws/events/presence/…` topic and on a topic an IoT rule republished it to", () => {
    const direct = parseAwsPresenceMessage("$aws/events/presence/connected/dev-1", JSON.stringify(connected));
    const republished = parseAwsPresenceMessage("fleet/presence/dev-1", JSON.stringify(connected));
    expect(direct.ok && direct.events.map((e) => [e.deviceId, e.kind, e.dedupeKey])).toEqual([["dev-1", "connected", expect.any(String)]]);
    expect(republished).toEqual(direct);
  });

  it("rejects an unknown `$` topic and a presence topic that contradicts the payload", () => {
    expect(parseAwsPresenceMessage("$aws/things/dev-1/shadow/update", JSON.stringify(connected))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/unrecognised AWS IoT topic/),
    });
    expect(parseAwsPresenceMessage("$aws/events/presence/disconnected/dev-1", JSON.stringify(connected))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/topic says disconnected/),
    });
  });
});

describe("AWS IoT CloudWatch log", () => {
  it("reads a failed Connect whose reason is AUTHORIZATION_FAILURE as a refused authorization, not an unknown refusal", () => {
    const result = parseAwsCloudWatchEntry({
      timestamp: "2026-12-05 01:10:02.300",
      logLevel: "ERROR",
      traceId: "7f1a2b3c-0000-4000-8000-000000000002",
      accountId: "123456789012",
      status: "Failure",
      eventType: "Connect",
      protocol: "MQTT",
      clientId: "pump-07",
      principalId: "145179c40e2219e18a909d896a5340b74cf97a39641beec2fc3eeafc5a932167",
      sourceIp: "81.2.3.4",
      sourcePort: 40002,
      reason: "AUTHORIZATION_FAILURE",
    });
    expect(result.ok && result.events.map((e) => [e.kind, e.reason, e.code])).toEqual([
      ["connect_failed", "not_authorized", "aws:AUTHORIZATION_FAILURE"],
    ]);
  });
});
