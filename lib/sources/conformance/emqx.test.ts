import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { parseEmqxMessage } from "../emqx.ts";
import { readAsWebhook, storedFacts } from "./read-as-webhook.ts";

// lifecycle-formats.md §3: EMQX `$SYS` presence (4.x, 5.x), rule-engine events and their reasons.

/** §3.3 disconnect reasons, the 5.x reason-code names it mentions, and raw socket-error atoms (`{sock_closed, R}`). */
const DISCONNECT_REASONS: ReadonlyArray<readonly [string, Reason, Initiator]> = [
  ["normal", "client_disconnect", "client"],
  ["kicked", "admin_disconnect", "server"],
  ["discarded", "session_taken_over", "server"],
  ["takenover", "session_taken_over", "server"],
  ["takeovered", "session_taken_over", "server"],
  ["keepalive_timeout", "keepalive_timeout", "network"],
  ["not_authorized", "not_authorized", "server"],
  ["auth_expired", "credential_expired", "server"],
  ["tcp_closed", "connection_lost", "network"],
  ["ssl_closed", "connection_lost", "network"],
  ["idle_timeout", "idle_timeout", "server"],
  ["frame_too_large", "protocol_error", "server"],
  ["protocol_error", "protocol_error", "server"],
  ["malformed_packet", "protocol_error", "server"],
  ["quota_exceeded", "quota_exceeded", "server"],
  ["receive_maximum_exceeded", "throttled", "server"],
  ["topic_alias_invalid", "protocol_error", "server"],
  ["server_shutting_down", "server_shutdown", "server"],
  ["administrative_action", "admin_disconnect", "server"],
  ["message_rate_too_high", "throttled", "server"],
  ["ssl_upgrade_timeout", "tls_error", "network"],
  ["internal_error", "server_error", "server"],
  ["sock_closed", "connection_lost", "network"],
  ["econnreset", "connection_lost", "network"],
  ["etimedout", "connection_lost", "network"],
  ["epipe", "connection_lost", "network"],
  ["ehostunreach", "connection_lost", "network"],
  ["enetunreach", "connection_lost", "network"],
  ["econnaborted", "connection_lost", "network"],
  ["enotconn", "connection_lost", "network"],
  ["ehostdown", "connection_lost", "network"],
  ["enetdown", "connection_lost", "network"],
  ["enetreset", "connection_lost", "network"],
];

describe("EMQX disconnect reasons (§3.3) on $SYS (5.x fields) and from the rule engine", () => {
  it.each(DISCONNECT_REASONS)("%s → %s (%s)", (atom, reason, initiator) => {
    const sys = parseEmqxMessage(
      "$SYS/brokers/emqx@10.0.0.2/clients/c_emqx/disconnected",
      JSON.stringify({
        clientid: "c_emqx",
        username: "u_emqx",
        ipaddress: "192.168.0.10",
        sockport: 1883,
        protocol: "mqtt",
        proto_name: "MQTT",
        proto_ver: 5,
        connected_at: 1645003500000,
        ts: 1645003578537,
        disconn_props: {},
        client_attrs: {},
        reason: atom,
        disconnected_at: 1645003578536,
      }),
    );
    if (!sys.ok) throw new Error(sys.error);
    expect(sys.events.map(storedFacts)).toEqual([
      {
        deviceId: "c_emqx",
        kind: "disconnected",
        reason,
        initiator,
        code: `emqx:${atom}`,
        at: "2022-02-16T09:26:18.536Z",
        sessionKey: "emqx@10.0.0.2|c_emqx|1645003500000",
        ordering: null,
        ip: "192.168.0.10",
        port: null,
        flags: [],
      },
    ]);
    const { events } = readAsWebhook(
      "emqx",
      JSON.stringify({
        event: "client.disconnected",
        reason: atom,
        clientid: "c_emqx",
        peername: "192.168.0.10:56431",
        sockname: "0.0.0.0:1883",
        disconnected_at: 1645003578536,
        connected_at: 1645003500000,
        node: "emqx@10.0.0.2",
        timestamp: 1645003578537,
      }),
    );
    expect(events).toMatchObject([
      { reason, initiator, code: `emqx:${atom}`, sessionKey: "emqx@10.0.0.2|c_emqx|1645003500000", port: 56431 },
    ]);
  });
});

/** §3.2 client_connack reason_code names (3.1.1 and 5); success is the connected event's, not a refusal. */
const CONNACK_REASONS: ReadonlyArray<readonly [string, Reason]> = [
  ["unacceptable_protocol_version", "protocol_error"],
  ["client_identifier_not_valid", "protocol_error"],
  ["server_unavailable", "server_error"],
  ["server_unavaliable", "server_error"],
  ["malformed_username_or_password", "auth_failed"],
  ["unauthorized_client", "not_authorized"],
  ["unspecified_error", "server_error"],
  ["malformed_packet", "protocol_error"],
  ["protocol_error", "protocol_error"],
  ["implementation_specific_error", "server_error"],
  ["unsupported_protocol_version", "protocol_error"],
  ["bad_username_or_password", "auth_failed"],
  ["not_authorized", "not_authorized"],
  ["server_busy", "throttled"],
  ["banned", "not_authorized"],
  ["bad_authentication_method", "auth_failed"],
  ["topic_name_invalid", "protocol_error"],
  ["packet_too_large", "protocol_error"],
  ["quota_exceeded", "quota_exceeded"],
  ["retain_not_supported", "protocol_error"],
  ["qos_not_supported", "protocol_error"],
  ["use_another_server", "server_shutdown"],
  ["server_moved", "server_shutdown"],
  ["connection_rate_exceeded", "throttled"],
];

describe("EMQX client_connack reason codes (§3.2), old and 6.x topic spellings", () => {
  const connack = (reasonCode: string) => ({
    event: "client.connack",
    reason_code: reasonCode,
    clientid: "c_emqx",
    clean_start: true,
    username: "u_emqx",
    peername: "[2001:db8::9]:56431",
    sockname: "0.0.0.0:1883",
    proto_name: "MQTT",
    proto_ver: 5,
    keepalive: 60,
    expiry_interval: 0,
    connected_at: 1645003578536,
    timestamp: 1645003578537,
    node: "emqx@127.0.0.1",
  });
  it.each(CONNACK_REASONS)("%s → a refused connect, %s, refused by the server", (name, reason) => {
    for (const topic of ["$events/client_connack", "$events/client/connack"]) {
      const result = parseEmqxMessage(topic, JSON.stringify(connack(name)));
      if (!result.ok) throw new Error(result.error);
      expect(result.events.map(storedFacts)).toMatchObject([
        { kind: "connect_failed", reason, initiator: "server", code: `emqx:${name}`, at: "2022-02-16T09:26:18.537Z", sessionKey: null },
      ]);
      expect(result.events[0]).toMatchObject({ clientIp: "2001:db8::9", clientPort: 56431, keepaliveSec: 60, protocolVersion: 5 });
    }
  });

  it.each(["success", "connection_accepted"])("%s is no event of its own", (name) => {
    expect(parseEmqxMessage("$events/client_connack", JSON.stringify(connack(name)))).toEqual({ ok: true, events: [] });
  });
});

describe("EMQX's client_connected SELECT sample (§3.2): no event, no time", () => {
  const sample = readFileSync(new URL("../fixtures/emqx/rule-connected-select-docs.json", import.meta.url), "utf8");

  it("is refused, naming what the rule's SELECT must add: the event has a time the sample did not select", () => {
    const { events, rejections } = readAsWebhook("emqx", sample);
    expect(events).toEqual([]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatch(/client\.connected/);
    expect(rejections[0]).toMatch(/connected_at/);
    expect(rejections[0]).toMatch(/SELECT/);
    expect(rejections[0]).not.toMatch(/topic or event: $/);
  });

  it("with connected_at selected too, is a connect keyed by it; with only event and no time, says which field is missing", () => {
    const connected = readAsWebhook("emqx", JSON.stringify({ ...JSON.parse(sample), connected_at: 1645003578536 }));
    expect(connected.events).toMatchObject([
      { deviceId: "c_emqx", kind: "connected", at: "2022-02-16T09:26:18.536Z", sessionKey: "|c_emqx|1645003578536" },
    ]);
    const untimed = readAsWebhook("emqx", JSON.stringify({ ...JSON.parse(sample), event: "client.connected" }));
    expect(untimed.rejections).toEqual([expect.stringMatching(/no connected_at, ts or timestamp.*SELECT/)]);
  });
});
