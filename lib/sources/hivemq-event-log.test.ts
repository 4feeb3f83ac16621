import { describe, expect, it } from "vitest";
import type { AdapterResult, ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseHivemqEventLine } from "./hivemq-event-log.ts";

function one(result: AdapterResult): ConnectionEvent {
  if (!result.ok) throw new Error(`expected events, got rejection: ${result.error}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as ConnectionEvent;
}

const line = (message: string) => `2024-05-01 10:00:00,123 - ${message}`;

describe("HiveMQ event.log (lifecycle-formats.md §7)", () => {
  it.each([
    "Client ID: abc, IP: UNKNOWN, Clean Start: true, Session Expiry: 0 connected.",
    "Client ID: abc, IP: UNKNOWN disconnected gracefully.",
    "Client ID: abc, IP: UNKNOWN disconnected ungracefully.",
    "Client ID: abc, IP: UNKNOWN was disconnected. reason: Client was idle for too long.",
  ])("reads `IP: UNKNOWN` (valueOrUnknown) as no address: %s", (message) => {
    expect(one(parseHivemqEventLine(line(message))).clientIp).toBeNull();
  });

  it("re-authentication happens on an established connection: its failure is a disconnect, not a refused connect", () => {
    const event = one(parseHivemqEventLine(line("Client ID: abc, IP: 10.0.0.1 was disconnected. reason: Re-authentication failed.")));
    expect(event).toMatchObject({ kind: "disconnected", reason: "auth_failed", code: "hivemq:AUTHENTICATION_FAILED" });
  });

  it.each(["Authentication failed.", "Authentication failed, no authenticator registered."])(
    "a failed authentication (%s) is a refused connect",
    (reason) => {
      const event = one(parseHivemqEventLine(line(`Client ID: abc, IP: 10.0.0.1 was disconnected. reason: ${reason}`)));
      expect(event).toMatchObject({ kind: "connect_failed", reason: "auth_failed", initiator: "server", clientIp: "10.0.0.1" });
    },
  );

  it("reads onAuthenticationFailedDisconnect's reason string as NOT_AUTHORIZED at connect, not as an unknown reason", () => {
    const event = one(
      parseHivemqEventLine(
        line("Client ID: abc, IP: 10.0.0.1 was disconnected. reason: Unknown authentication key or wrong authentication secret."),
      ),
    );
    expect(event).toMatchObject({
      kind: "connect_failed",
      reason: "not_authorized",
      initiator: "server",
      code: "hivemq:NOT_AUTHORIZED",
      message: "Unknown authentication key or wrong authentication secret",
    });
  });

  it("every `Sent CONNECT with …` variant is a refused connect, like its two named siblings", () => {
    for (const reason of [
      "Sent CONNECT with invalid client identifier.",
      "Sent CONNECT with an invalid protocol version",
      "Sent CONNECT with a will topic containing wildcards.",
    ]) {
      const event = one(parseHivemqEventLine(line(`Client ID: abc, IP: 10.0.0.1 was disconnected. reason: ${reason}`)));
      expect(event, reason).toMatchObject({ kind: "connect_failed", reason: "protocol_error", initiator: "server" });
    }
  });
});

describe("HiveMQ event.log lines behind a log collector's prefix", () => {
  it("reads the line's own dated stamp behind a year-less syslog, journald or container prefix, as the same event", () => {
    const own = "2026-12-04 23:30:56,123 - Client ID: dev-1, IP: 10.0.0.1 disconnected ungracefully.";
    const direct = parseHivemqEventLine(own);
    for (const prefixed of [
      `Dec  4 23:30:56 host hivemq[812]: ${own}`,
      `Dec 4 23:30:56 host hivemq[812]: ${own}`,
      `2026-12-04T23:30:56.200Z ${own}`,
    ]) {
      const result = parseHivemqEventLine(prefixed);
      expect(result).toMatchObject({ ok: true, events: [{ kind: "disconnected", occurredAt: new Date("2026-12-04T23:30:56.123Z") }] });
      expect(result.ok && result.events[0]?.dedupeKey).toBe(direct.ok && direct.events[0]?.dedupeKey);
    }
  });
});

describe("HiveMQ event.log lines built to backtrack", () => {
  // `reason: (.*?)\.*$` tried every shorter reason again at each dot of a long run: 90 ms for one 8 KB line, minutes
  // for an upload of them (each refused in the end, its reason too long for an event). The reason is read whole and
  // its closing dots cut off.
  it("refuses 2,000 lines of 8 KB of dots in one pass each", { timeout: 30_000 }, () => {
    const message = `Client ID: d1, IP: 10.0.0.1 was disconnected. reason: ${".".repeat(8_000)}x`;
    for (let i = 0; i < 2_000; i += 1)
      expect(parseHivemqEventLine(line(message))).toMatchObject({ ok: false, error: /^invalid canonical event: message/ });
    expect(
      one(parseHivemqEventLine(line("Client ID: d1, IP: 10.0.0.1 was disconnected. reason: Another client connected..."))).message,
    ).toBe("Another client connected");
  });
});
