import { describe, expect, it } from "vitest";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { createMosquittoLogParser } from "../mosquitto-log.ts";
import { readAsWebhook } from "./read-as-webhook.ts";

// lifecycle-formats.md §4.1: every lifecycle format string of Mosquitto 1.x, 2.0.x and 2.1.x.

const connected = (id: string, port: number) => `1800000000: New client connected from 10.0.0.6:${port} as ${id} (p5, c1, k60).`;

/** §4.1 2.0.x disconnect lines (the `%s` is the client ID): code and canonical reason. */
const V20_LINES: ReadonlyArray<readonly [string, string, Reason, Initiator]> = [
  ["Client %s disconnected.", "disconnected", "client_disconnect", "client"],
  ["Client %s closed its connection.", "closed-connection", "connection_lost", "network"],
  ["Client %s has exceeded timeout, disconnecting.", "exceeded-timeout", "keepalive_timeout", "network"],
  ["Client %s disconnected due to protocol error.", "protocol-error", "protocol_error", "server"],
  ["Client %s disconnected due to malformed packet.", "malformed-packet", "protocol_error", "server"],
  ["Client %s disconnected due to oversize packet.", "oversize-packet", "protocol_error", "server"],
  ["Client %s disconnected due to oversize payload.", "oversize-payload", "protocol_error", "server"],
  ["Client %s disconnected due to out of memory.", "out-of-memory", "server_error", "server"],
  [
    "Client %s disconnected due to using not allowed feature (QoS too high, retain not supported, or bad AUTH method).",
    "disallowed-feature",
    "protocol_error",
    "server",
  ],
  ["Client %s disconnected due to QoS too high or retain not supported.", "disallowed-feature", "protocol_error", "server"],
  ["Client %s been disconnected by administrative action.", "administrative-action", "admin_disconnect", "server"],
  ["Client %s disconnected: Connection reset by peer.", "errno", "connection_lost", "network"],
  ["Bad socket read/write on client %s: A TLS error occurred.", "tls-error", "tls_error", "network"],
  ["Bad socket read/write on client %s: The connection was lost.", "bad-socket-read-write", "connection_lost", "network"],
  ["Client %s already connected, closing old connection.", "session-taken-over", "session_taken_over", "server"],
  ["Socket error on client %s, disconnecting.", "socket-error", "connection_lost", "network"],
  ["Client %s disconnected, no longer authorised.", "no-longer-authorised", "not_authorized", "server"],
];

/** §4.1 2.1.1+ `<reason>` strings of `Client %s [%s:%d] disconnected: <reason>.` */
const V21_REASONS: ReadonlyArray<readonly [string, string, Reason]> = [
  ["malformed packet", "malformed-packet", "protocol_error"],
  ["protocol error", "protocol-error", "protocol_error"],
  ["connection closed by client", "closed-connection", "connection_lost"],
  ["exceeded timeout", "exceeded-timeout", "keepalive_timeout"],
  ["oversize packet", "oversize-packet", "protocol_error"],
  ["oversize payload", "oversize-payload", "protocol_error"],
  ["out of memory", "out-of-memory", "server_error"],
  ["used disallowed feature (QoS too high, retain not supported, or bad AUTH method)", "disallowed-feature", "protocol_error"],
  ["administrative action", "administrative-action", "admin_disconnect"],
  ["No route to host", "errno", "connection_lost"],
  ["receive maximum exceeded", "receive-maximum-exceeded", "throttled"],
  ["implementation specific error", "implementation-specific-error", "server_error"],
  ["quota exceeded", "quota-exceeded", "quota_exceeded"],
  ["session taken over", "session-taken-over", "session_taken_over"],
  ["topic alias invalid", "topic-alias-invalid", "protocol_error"],
  ["non-matching http origin", "non-matching-http-origin", "not_authorized"],
];

/** 2.1 reasons a broker gives only while refusing a CONNECT. */
const V21_REFUSALS: ReadonlyArray<readonly [string, string, Reason]> = [
  ["not authorised", "not-authorised", "auth_failed"],
  ["client identifier not valid", "client-identifier-not-valid", "protocol_error"],
  ["bad username or password", "bad-username-or-password", "auth_failed"],
  ["server unavailable", "server-unavailable", "server_error"],
  ["server busy", "server-busy", "throttled"],
  ["client banned", "client-banned", "not_authorized"],
  ["bad authentication method", "bad-authentication-method", "auth_failed"],
  ["connection rate exceeded", "connection-rate-exceeded", "throttled"],
];

describe("Mosquitto 2.0.x and 1.x disconnect lines (§4.1)", () => {
  it.each(V20_LINES)("%s → mosquitto:%s, %s (%s), closing the session of its connect", (format, slug, reason, initiator) => {
    const { events } = readAsWebhook("mosquitto", [connected("dev-1", 4000), `1800000001: ${format.replace("%s", "dev-1")}`].join("\n"));
    const sessionKey = "|dev-1|1800000000000";
    expect(events).toMatchObject([
      { kind: "connected", sessionKey, ip: "10.0.0.6", port: 4000 },
      {
        kind: "disconnected",
        reason,
        initiator,
        code: `mosquitto:${slug}`,
        sessionKey,
        ip: "10.0.0.6",
        port: 4000,
        at: "2027-01-15T08:00:01.000Z",
      },
    ]);
  });
});

describe("Mosquitto 2.1.1+ disconnect lines (§4.1)", () => {
  it.each(V21_REASONS)("disconnected: %s. → mosquitto:%s, %s", (text, slug, reason) => {
    const { events } = readAsWebhook(
      "mosquitto",
      [connected("dev-1", 4000), `1800000001: Client dev-1 [10.0.0.6:4000] disconnected: ${text}.`].join("\n"),
    );
    expect(events).toMatchObject([
      { kind: "connected" },
      { kind: "disconnected", reason, code: `mosquitto:${slug}`, sessionKey: "|dev-1|1800000000000" },
    ]);
  });

  it.each(V21_REFUSALS)("disconnected: %s. before any connect is a refused connect (mosquitto:%s, %s)", (text, slug, reason) => {
    const { events } = readAsWebhook(
      "mosquitto",
      [
        "1800000000: New connection from 10.0.0.7:4001 on port 1883.",
        `1800000000: Client dev-2 [10.0.0.7:4001] disconnected: ${text}.`,
        "1800000001: New connection from 10.0.0.8:4002 on port 1883.",
        `1800000001: Client 10.0.0.8 [10.0.0.8:4002] disconnected: ${text}.`,
      ].join("\n"),
    );
    expect(events).toMatchObject([
      { kind: "connect_failed", deviceId: "dev-2", reason, initiator: "server", code: `mosquitto:${slug}`, ip: "10.0.0.7", port: 4001 },
      { kind: "connect_failed", deviceId: "<unknown>@10.0.0.8", reason, code: `mosquitto:${slug}`, ip: "10.0.0.8", port: 4002 },
    ]);
  });

  it("a graceful close prints no reason; a TLS read/write failure has no closing period", () => {
    const { events } = readAsWebhook(
      "mosquitto",
      [
        connected("dev-1", 4000),
        "1800000001: Client dev-1 [10.0.0.6:4000] disconnected.",
        connected("dev-2", 4001),
        "1800000002: Client dev-2 [10.0.0.6:4001] disconnected: bad socket read/write: A TLS error occurred.",
      ].join("\n"),
    );
    expect(events.filter((e) => e.kind === "disconnected").map((e) => [e.code, e.reason])).toEqual([
      ["mosquitto:disconnected", "client_disconnect"],
      ["mosquitto:tls-error", "tls_error"],
    ]);
  });
});

describe("Mosquitto addresses across versions (§4.1 placeholders, 1.x lines without a port)", () => {
  it.each([
    [
      "1.x IPv4",
      "New connection from 192.168.1.5 on port 1883.",
      "New client connected from 192.168.1.5 as d (p2, c1, k60).",
      "192.168.1.5",
      null,
    ],
    ["1.x IPv6 loopback", "New connection from ::1 on port 1883.", "New client connected from ::1 as d (p2, c1, k60).", "::1", null],
    [
      "1.x IPv6",
      "New connection from 2001:db8::5 on port 1883.",
      "New client connected from 2001:db8::5 as d (p2, c1, k60).",
      "2001:db8::5",
      null,
    ],
    [
      "2.x IPv4",
      "New connection from 10.0.0.6:4000 on port 1883.",
      "New client connected from 10.0.0.6:4000 as d (p2, c1, k60).",
      "10.0.0.6",
      4000,
    ],
    ["2.x IPv6", "New connection from ::1:4000 on port 1883.", "New client connected from ::1:4000 as d (p2, c1, k60).", "::1", 4000],
    [
      "2.x IPv6, eight groups",
      "New connection from 2001:db8:0:0:0:0:0:5:4000 on port 1883.",
      "New client connected from 2001:db8:0:0:0:0:0:5:4000 as d (p2, c1, k60).",
      "2001:db8:0:0:0:0:0:5",
      4000,
    ],
  ])("%s: the client's address and port", (_, accepted, connect, ip, port) => {
    const { events } = readAsWebhook(
      "mosquitto",
      [`1500000000: ${accepted}`, `1500000000: ${connect}`, "1500000001: Client <unknown> disconnected, not authorised."].join("\n"),
    );
    expect(events[0]).toMatchObject({ kind: "connected", ip, port });
    // A refused connect of the same address: the accepted connection it is attributed to.
    const refused = readAsWebhook(
      "mosquitto",
      [`1500000000: ${accepted}`, "1500000001: Client <unknown> disconnected, not authorised."].join("\n"),
    );
    expect(refused.events).toMatchObject([{ kind: "connect_failed", deviceId: `<unknown>@${ip}`, ip, port }]);
  });
});

describe("why Mosquitto refused a connection that never had a client ID (§4.1, §4.2)", () => {
  it.each([
    ["Invalid protocol version 7 in CONNECT from 127.0.0.1."],
    ['Invalid protocol "MQIsdp2" in CONNECT from 127.0.0.1.'],
    ["Invalid Will QoS in CONNECT from 127.0.0.1."],
    ["Protocol error from 127.0.0.1: password without username, closing connection."],
    ["Protocol error from 127.0.0.1:40428: CONNECT with invalid protocol version (7)."],
  ])("%s is kept with the refusal it explains", (detail) => {
    const parser = createMosquittoLogParser();
    const lines = [
      "1795345088: New connection from 127.0.0.1:40428 on port 18830.",
      `1795345088: ${detail}`,
      "1795345088: Client <unknown> disconnected due to protocol error.",
    ];
    const events = lines.flatMap((line) => {
      const result = parser.parseLine(line);
      if (!result.ok) throw new Error(result.error);
      return result.events;
    });
    expect(events).toMatchObject([{ kind: "connect_failed", code: "mosquitto:protocol-error", clientPort: 40428 }]);
    expect(events[0]?.message).toContain(detail);
  });
});
