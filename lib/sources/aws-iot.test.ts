import { describe, expect, it } from "vitest";
import { parseAwsPresenceMessage } from "./aws-iot.ts";

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
