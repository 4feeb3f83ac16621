import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEmqxMessage } from "./emqx.ts";
import { EMQX_CONNACK_REASONS, EMQX_DISCONNECT_REASONS } from "./emqx-reasons.ts";
import { REASONS } from "@/lib/events/connection-event.ts";
import { mapVendorCode } from "./vendor-codes.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/emqx/${name}`, import.meta.url), "utf8");
const NODE = "emqx@127.0.0.1";
const sysTopic = (clientId: string, event: string) => `$SYS/brokers/${NODE}/clients/${encodeURIComponent(clientId)}/${event}`;

function expectEvents(result: ReturnType<typeof parseEmqxMessage>) {
  if (!result.ok) throw new Error(`expected events, got rejection: ${result.error}`);
  return result.events;
}

describe("parseEmqxMessage: verbatim docs samples", () => {
  it("reads the $SYS connected sample (4.x fields)", () => {
    const [event, ...rest] = expectEvents(
      parseEmqxMessage(sysTopic("emqtt-8348fe27a87976ad4db3", "connected"), fixture("sys-connected-docs.json")),
    );
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({
      deviceId: "emqtt-8348fe27a87976ad4db3",
      kind: "connected",
      reason: "connected",
      initiator: "client",
      occurredAt: new Date(1625572213873),
      brokerNode: NODE,
      clientIp: "127.0.0.1",
      protocolVersion: 4,
      keepaliveSec: 60,
      cleanStart: true,
      username: "foo",
      sessionKey: `${NODE}|emqtt-8348fe27a87976ad4db3|1625572213873`,
      source: "emqx",
    });
  });

  it("reads the $SYS disconnected sample: tcp_closed is a lost connection, initiated by the network", () => {
    const [event] = expectEvents(
      parseEmqxMessage(sysTopic("emqtt-8348fe27a87976ad4db3", "disconnected"), fixture("sys-disconnected-docs.json")),
    );
    expect(event).toMatchObject({
      kind: "disconnected",
      reason: "connection_lost",
      initiator: "network",
      code: "emqx:tcp_closed",
      occurredAt: new Date(1625572213873),
      // 4.x disconnected payloads carry no connected_at, so nothing ties them to a session key.
      sessionKey: null,
    });
  });

  it("reads the rule-engine client_disconnected sample by its node field", () => {
    const [event] = expectEvents(
      parseEmqxMessage(
        "rules/out",
        JSON.stringify({ ...JSON.parse(fixture("rule-disconnected-docs.json")), event: "client.disconnected" }),
      ),
    );
    expect(event).toMatchObject({
      deviceId: "c_emqx",
      reason: "client_disconnect",
      initiator: "client",
      brokerNode: NODE,
      code: "emqx:normal",
    });
  });

  it("ignores a successful connack: the connected event carries it", () => {
    const result = parseEmqxMessage(sysTopic("c_emqx", "connack"), fixture("rule-connack-success-docs.json"));
    expect(result).toEqual({ ok: true, events: [] });
  });
});

describe("parseEmqxMessage: 5.x payloads and reasons", () => {
  const connectedAt = 1_763_800_000_000;
  const disconnected = (reason: string, clientid = "dev-1") =>
    JSON.stringify({
      clientid,
      username: "u",
      ipaddress: "10.0.0.4",
      sockport: 1883,
      proto_ver: 4,
      connected_at: connectedAt,
      disconnected_at: connectedAt + 5000,
      ts: connectedAt + 5000,
      reason,
      disconn_props: {},
      client_attrs: {},
    });

  it.each([
    ["normal", "client_disconnect", "client"],
    ["keepalive_timeout", "keepalive_timeout", "network"],
    ["takenover", "session_taken_over", "server"],
    ["discarded", "session_taken_over", "server"],
    ["takeovered", "session_taken_over", "server"],
    ["kicked", "admin_disconnect", "server"],
    ["not_authorized", "not_authorized", "server"],
    ["tcp_closed", "connection_lost", "network"],
    ["econnreset", "connection_lost", "network"],
    ["server_shutting_down", "server_shutdown", "server"],
    ["message_rate_too_high", "throttled", "server"],
  ])("maps reason %s to %s / %s", (atom, reason, initiator) => {
    const [event] = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), disconnected(atom)));
    expect(event).toMatchObject({ reason, initiator, code: `emqx:${atom}`, sessionKey: `${NODE}|dev-1|${connectedAt}` });
  });

  // §3.3: after a DISCONNECT the reason is emqx_reason_codes:name(RC); every code valid in DISCONNECT (§6.2) maps as
  // the MQTT 5 code does. Names as in emqx/emqx apps/emqx/src/emqx_reason_codes.erl (0x00 is `normal` on disconnect).
  it.each([
    ["normal", "mqtt5:0x00"],
    ["disconnect_with_will_message", "mqtt5:0x04"],
    ["unspecified_error", "mqtt5:0x80"],
    ["malformed_packet", "mqtt5:0x81"],
    ["protocol_error", "mqtt5:0x82"],
    ["implementation_specific_error", "mqtt5:0x83"],
    ["not_authorized", "mqtt5:0x87"],
    ["server_busy", "mqtt5:0x89"],
    ["server_shutting_down", "mqtt5:0x8B"],
    ["keepalive_timeout", "mqtt5:0x8D"],
    ["session_taken_over", "mqtt5:0x8E"],
    ["topic_filter_invalid", "mqtt5:0x8F"],
    ["topic_name_invalid", "mqtt5:0x90"],
    ["receive_maximum_exceeded", "mqtt5:0x93"],
    ["topic_alias_invalid", "mqtt5:0x94"],
    ["packet_too_large", "mqtt5:0x95"],
    ["message_rate_too_high", "mqtt5:0x96"],
    ["quota_exceeded", "mqtt5:0x97"],
    ["administrative_action", "mqtt5:0x98"],
    ["payload_format_invalid", "mqtt5:0x99"],
    ["retain_not_supported", "mqtt5:0x9A"],
    ["qos_not_supported", "mqtt5:0x9B"],
    ["use_another_server", "mqtt5:0x9C"],
    ["server_moved", "mqtt5:0x9D"],
    ["shared_subscriptions_not_supported", "mqtt5:0x9E"],
    ["connection_rate_exceeded", "mqtt5:0x9F"],
    ["maximum_connect_time", "mqtt5:0xA0"],
    ["subscription_identifiers_not_supported", "mqtt5:0xA1"],
    ["wildcard_subscriptions_not_supported", "mqtt5:0xA2"],
  ])("maps the DISCONNECT reason-code name %s as %s", (atom, mqtt5) => {
    const [event] = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), disconnected(atom)));
    const { reason, initiator } = mapVendorCode(mqtt5);
    expect(reason).not.toBe("unknown");
    expect(event).toMatchObject({ kind: "disconnected", reason, initiator, code: `emqx:${atom}` });
  });

  it("keeps an unknown reason as unknown with its vendor code", () => {
    const [event] = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), disconnected("something_new")));
    expect(event).toMatchObject({ reason: "unknown", initiator: "unknown", code: "emqx:something_new" });
  });

  it("turns a refused connack into connect_failed (refused by the server) with the client's address", () => {
    const payload = {
      event: "client.connack",
      reason_code: "bad_username_or_password",
      clientid: "dev-2",
      username: "u",
      peername: "10.1.2.3:51234",
      sockname: "127.0.0.1:1883",
      proto_name: "MQTT",
      proto_ver: 4,
      keepalive: 60,
      clean_start: true,
      connected_at: connectedAt,
      timestamp: connectedAt,
      node: NODE,
    };
    const [event] = expectEvents(parseEmqxMessage(sysTopic("dev-2", "connack"), JSON.stringify(payload)));
    expect(event).toMatchObject({
      kind: "connect_failed",
      reason: "auth_failed",
      initiator: "server",
      code: "emqx:bad_username_or_password",
      clientIp: "10.1.2.3",
      clientPort: 51234,
    });
  });

  it("takes the device ID from the payload, so IDs with / # + and unicode survive topic encoding", () => {
    const id = "plant 7/line#2+ü";
    const [event] = expectEvents(parseEmqxMessage(sysTopic(id, "disconnected"), disconnected("normal", id)));
    expect(event?.deviceId).toBe(id);
  });

  it("gives the same dedupe key to a redelivered message and different keys to different events", () => {
    const a = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), disconnected("normal")));
    const b = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), disconnected("normal")));
    const c = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), disconnected("tcp_closed")));
    expect(a[0]?.dedupeKey).toBe(b[0]?.dedupeKey);
    expect(a[0]?.dedupeKey).not.toBe(c[0]?.dedupeKey);
  });

  it("flags a disconnect stamped before its connect instead of resolving it silently", () => {
    const payload = JSON.parse(disconnected("normal")) as Record<string, unknown>;
    payload.disconnected_at = connectedAt - 10;
    const [event] = expectEvents(parseEmqxMessage(sysTopic("dev-1", "disconnected"), JSON.stringify(payload)));
    expect(event?.flags).toContain("disconnected_before_connected");
  });
});

describe("parseEmqxMessage: the other EMQX client events (§3.1, §3.2)", () => {
  const ts = 1_625_572_213_873;

  it.each(["subscribed", "unsubscribed"])("skips $SYS .../%s (no connection change), not a dead letter", (event) => {
    const payload = JSON.stringify({ clientid: "c1", username: "u", protocol: "mqtt", topic: "t/1", subopts: { qos: 0 }, ts });
    expect(parseEmqxMessage(sysTopic("c1", event), payload)).toEqual({ ok: true, events: [] });
  });

  it.each([
    ["$events/client_check_authz_complete", { event: "client.check_authz_complete", topic: "t/a", action: "publish", result: "deny" }],
    ["$events/auth/check_authz_complete", { event: "client.check_authz_complete", topic: "t/a", action: "publish", result: "allow" }],
    ["$events/client_check_authn_complete", { event: "client.check_authn_complete", reason_code: "not_authorized", is_anonymous: false }],
    ["$events/client/ping", { event: "client.ping" }],
    ["$events/session_subscribed", { event: "session.subscribed", topic: "t/a" }],
    ["$events/message_delivered", { event: "message.delivered", from_clientid: "d", topic: "t" }],
    // Webhook deliveries carry no topic: the `event` field, or for a narrow SELECT the fields, say what they are.
    ["", { event: "client.check_authn_complete", reason_code: "bad_username_or_password", is_superuser: false }],
    ["", { topic: "t/a", action: "publish", result: "allow", authz_source: "cache", node: NODE }],
    ["", { reason_code: "not_authorized", is_superuser: false, is_anonymous: false }],
  ])("skips the rule-engine event on %j: no connection change (the connack reports a refusal)", (topic, fields) => {
    const payload = JSON.stringify({ clientid: "c_emqx", username: "u_emqx", timestamp: ts, node: NODE, ...fields });
    expect(parseEmqxMessage(topic, payload)).toEqual({ ok: true, events: [] });
  });

  it("reads gateway clients' $SYS/brokers/<node>/gateway/<gw>/clients/<id>/connected with a version string", () => {
    const payload = JSON.stringify({ clientid: "coap-1", ipaddress: "10.0.0.9", proto_name: "CoAP", proto_ver: "1", connected_at: ts, ts });
    const [event] = expectEvents(parseEmqxMessage(`$SYS/brokers/${NODE}/gateway/coap/clients/coap-1/connected`, payload));
    expect(event).toMatchObject({ deviceId: "coap-1", kind: "connected", brokerNode: NODE, clientIp: "10.0.0.9", protocolVersion: null });
  });

  it("still reads the lifecycle events when the rule engine sends them with their event field", () => {
    const payload = JSON.stringify({ clientid: "c", event: "client.disconnected", reason: "kicked", disconnected_at: ts, node: NODE });
    const [event] = expectEvents(parseEmqxMessage("", payload));
    expect(event).toMatchObject({ kind: "disconnected", reason: "admin_disconnect", code: "emqx:kicked" });
  });
});

describe("parseEmqxMessage: rejections carry a reason", () => {
  it.each([
    ["not JSON", "{oops", /not JSON/],
    ["an array", "[1,2]", /not an EMQX client event/],
    ["an empty client id", JSON.stringify({ clientid: "", connected_at: 1 }), /clientid is empty/],
    ["a string timestamp", JSON.stringify({ clientid: "a", connected_at: "yesterday" }), /connected_at/],
    ["no timestamp", JSON.stringify({ clientid: "a" }), /no connected_at/],
  ])("rejects %s", (_label, payload, message) => {
    const result = parseEmqxMessage(sysTopic("a", "connected"), payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it("rejects a topic that is not a lifecycle topic", () => {
    const result = parseEmqxMessage("$SYS/brokers/n/version", JSON.stringify({ clientid: "a", ts: 1 }));
    expect(result).toEqual({ ok: false, error: "unrecognised EMQX topic or event: $SYS/brokers/n/version" });
  });
});

describe("EMQX reason tables", () => {
  it("map only to canonical reasons", () => {
    for (const mapping of [...Object.values(EMQX_DISCONNECT_REASONS), ...Object.values(EMQX_CONNACK_REASONS)]) {
      expect(REASONS).toContain(mapping.reason);
    }
  });
});
