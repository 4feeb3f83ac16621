import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { buildEntries, step } from "./playbook.ts";
import type { EntryRow, KnowledgeEntry } from "./types.ts";

type Mqtt5Row = [dec: number, name: string, reason: Reason, initiator: Initiator, meaning: string];

/** MQTT 5.0 reason codes, OASIS MQTT 5.0 §2.4 Table 2-6 (lifecycle-formats.md §6.2). */
const MQTT5_ROWS: readonly Mqtt5Row[] = [
  [0x00, "Success / Normal disconnection", "client_disconnect", "client", "Success; in DISCONNECT a graceful, intended disconnect"],
  [0x01, "Granted QoS 1", "connected", "unknown", "SUBACK: subscription granted at QoS 1"],
  [0x02, "Granted QoS 2", "connected", "unknown", "SUBACK: subscription granted at QoS 2"],
  [0x04, "Disconnect with Will Message", "client_disconnect", "client", "The client disconnects and wants its will message published"],
  [0x10, "No matching subscribers", "connected", "server", "PUBACK: accepted, but nobody subscribes to the topic (informational)"],
  [0x11, "No subscription existed", "connected", "server", "UNSUBACK: there was no such subscription (informational)"],
  [0x18, "Continue authentication", "connected", "server", "AUTH: enhanced authentication continues"],
  [0x19, "Re-authenticate", "connected", "client", "AUTH: the client starts re-authentication"],
  [0x80, "Unspecified error", "server_error", "server", "The server rejects or disconnects without saying why; its logs have the reason"],
  [0x81, "Malformed Packet", "protocol_error", "server", "A packet could not be parsed: client library bug or corrupted stream"],
  [0x82, "Protocol Error", "protocol_error", "server", "A packet violates the protocol, for example a second CONNECT or out-of-order packets"],
  [0x83, "Implementation specific error", "server_error", "server", "A broker-specific rejection, for example by a plugin or hook"],
  [0x84, "Unsupported Protocol Version", "protocol_error", "server", "The broker does not speak the requested MQTT version"],
  [0x85, "Client Identifier not valid", "protocol_error", "server", "The client ID's format, length or emptiness is not accepted"],
  [0x86, "Bad User Name or Password", "auth_failed", "server", "The credentials are wrong, malformed or expired"],
  [0x87, "Not authorized", "not_authorized", "server", "Not allowed to connect; in DISCONNECT, credentials revoked or expired mid-session"],
  [0x88, "Server unavailable", "server_error", "server", "The broker is not ready to accept connections"],
  [0x89, "Server busy", "throttled", "server", "The broker is overloaded and asks the client to back off"],
  [0x8a, "Banned", "not_authorized", "server", "The client is administratively banned"],
  [0x8b, "Server shutting down", "server_shutdown", "server", "The broker is restarting or being deployed"],
  [0x8c, "Bad authentication method", "auth_failed", "server", "The AUTH method is not the one the broker expects"],
  [0x8d, "Keep Alive timeout", "keepalive_timeout", "network", "No packet from the client for 1.5 × its keepalive"],
  [0x8e, "Session taken over", "session_taken_over", "server", "Another connection with the same client ID took the session over"],
  [0x8f, "Topic Filter invalid", "protocol_error", "server", "A subscription used a filter the broker rejects"],
  [0x90, "Topic Name invalid", "protocol_error", "server", "A publish (or will) used a topic name the broker rejects"],
  [0x91, "Packet Identifier in use", "protocol_error", "server", "The packet identifier is already in use: client library bug"],
  [0x92, "Packet Identifier not found", "protocol_error", "server", "Session state mismatch between client and broker"],
  [0x93, "Receive Maximum exceeded", "protocol_error", "server", "Too many unacknowledged QoS 1/2 messages in flight"],
  [0x94, "Topic Alias invalid", "protocol_error", "server", "A topic alias was used wrongly"],
  [0x95, "Packet too large", "protocol_error", "server", "A packet exceeded the Maximum Packet Size"],
  [0x96, "Message rate too high", "throttled", "server", "The client publishes faster than the broker allows"],
  [0x97, "Quota exceeded", "quota_exceeded", "server", "An administrative or quota limit was reached"],
  [0x98, "Administrative action", "admin_disconnect", "server", "An operator or API kicked the client"],
  [0x99, "Payload format invalid", "protocol_error", "server", "The payload does not match its format indicator"],
  [0x9a, "Retain not supported", "protocol_error", "server", "A retained message was published where retain is disabled"],
  [0x9b, "QoS not supported", "protocol_error", "server", "A QoS above the broker's maximum was used (for example QoS 2 on ClearBlade)"],
  [0x9c, "Use another server", "server_shutdown", "server", "Temporary redirect to another server (Server Reference property)"],
  [0x9d, "Server moved", "server_shutdown", "server", "Permanent redirect to another server"],
  [0x9e, "Shared Subscriptions not supported", "protocol_error", "server", "The broker does not support $share subscriptions"],
  [0x9f, "Connection rate exceeded", "throttled", "server", "The client (or fleet) connects too often: a reconnect storm"],
  [0xa0, "Maximum connect time", "session_ttl", "server", "The connection reached the broker's maximum duration"],
  [0xa1, "Subscription Identifiers not supported", "protocol_error", "server", "The broker does not support subscription identifiers"],
  [0xa2, "Wildcard Subscriptions not supported", "protocol_error", "server", "The broker does not support wildcard subscriptions"],
];

export function formatMqtt5Code(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, "0")}`;
}

const MQTT5_RELATED: Record<number, string[]> = {
  0x87: ["connack:5", "emqx:not_authorized", "aws:AUTH_ERROR", "azure:401003"],
  0x86: ["connack:4", "emqx:bad_username_or_password"],
  0x8d: ["emqx:keepalive_timeout", "aws:MQTT_KEEP_ALIVE_TIMEOUT", "mosquitto:exceeded-timeout"],
  0x8e: ["emqx:takenover", "aws:DUPLICATE_CLIENTID", "azure:400027", "mosquitto:session-taken-over"],
  0x85: ["connack:2", "emqx:client_identifier_not_valid"],
  0x9f: ["emqx:connection_rate_exceeded", "aws:THROTTLED"],
};

export const MQTT5_ENTRIES: KnowledgeEntry[] = buildEntries(
  "mqtt5",
  "OASIS MQTT 5.0 §2.4 Table 2-6, §3.2.2.2 and §3.14.2.1",
  MQTT5_ROWS.map(([dec, name, reason, initiator, meaning]): EntryRow => ({
    key: formatMqtt5Code(dec),
    name: `${dec} ${name}`,
    meaning,
    reason,
    initiator,
    related: MQTT5_RELATED[dec] ?? [],
    expected: dec < 0x80,
  })),
);

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3 Table 3.1) plus the non-standard 6 (aedes) and 13 (ClearBlade). */
export const CONNACK_ENTRIES: KnowledgeEntry[] = buildEntries("connack", "OASIS MQTT 3.1.1 §3.2.2.3 Table 3.1; aedes; ClearBlade docs", [
  { key: "0", name: "0x00 Connection Accepted", meaning: "The connection was accepted", reason: "connected", initiator: "server", expected: true },
  {
    key: "1",
    name: "0x01 Connection Refused, unacceptable protocol version",
    meaning: "The server does not support the requested protocol level",
    reason: "protocol_error",
    initiator: "server",
    causes: ["The client speaks MQTT 5 to a 3.1.1-only broker (for example aedes), or the reverse"],
    steps: [step("Set the client's protocol version to one the broker supports", "protocol-clean")],
    related: ["mqtt5:0x84"],
  },
  {
    key: "2",
    name: "0x02 Connection Refused, identifier rejected",
    meaning: "The client ID is valid UTF-8 but not allowed",
    reason: "protocol_error",
    initiator: "server",
    causes: ["Empty client ID with clean session 0", "ID too long or with disallowed characters", "Wrong ClearBlade client ID path (project, region, registry, device)", "A duplicate client ID (ClearBlade)"],
    steps: [step("Use the exact client ID format the platform requires", "client-id-accepted")],
    related: ["mqtt5:0x85", "emqx:client_identifier_not_valid"],
  },
  { key: "3", name: "0x03 Connection Refused, Server unavailable", meaning: "The network connection worked but the MQTT service is unavailable", reason: "server_error", initiator: "server", related: ["mqtt5:0x88"] },
  {
    key: "4",
    name: "0x04 Connection Refused, bad user name or password",
    meaning: "The credentials are malformed or wrong",
    reason: "auth_failed",
    initiator: "server",
    causes: ["Wrong password or token", "Expired JWT (ClearBlade: exp − iat over 24 h)", "Wrong aud claim or algorithm", "Standard base64 instead of base64url", "Clock skew over 10 minutes", "No public key on the device record"],
    related: ["mqtt5:0x86", "emqx:bad_username_or_password"],
  },
  {
    key: "5",
    name: "0x05 Connection Refused, not authorized",
    meaning: "The client is not authorized to connect (Mosquitto 2.0 also answers 5 to a wrong password)",
    reason: "not_authorized",
    initiator: "server",
    causes: ["ACL or policy denies the connection", "Device or registry disabled", "Wrong password on Mosquitto 2.0"],
    related: ["mqtt5:0x87", "emqx:not_authorized"],
  },
  { key: "6", name: "6 (non-standard) keep alive limit exceeded", meaning: "aedes refuses a keepalive of 0 or above its keepaliveLimit (reserved in MQTT 3.1.1)", reason: "protocol_error", initiator: "server", steps: [step("Use a keepalive between 1 and the broker's limit (60 s recommended)", "keepalive-within-nat-timeout")] },
  { key: "13", name: "0x13 (non-standard, ClearBlade)", meaning: "ClearBlade's code for all other connect, disconnect, publish and subscribe events", reason: "unknown", initiator: "server" },
]);
