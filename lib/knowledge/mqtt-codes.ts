import { buildKnowledgeEntries } from "./canonical-codes.ts";
import { keepaliveStep } from "./keepalive-steps.ts";
import { step } from "./playbook.ts";
import type { KnowledgeEntry, KnowledgeRow } from "./types.ts";
import { formatMqtt5Hex } from "@/lib/events/mqtt5-code.ts";

type Mqtt5Row = [dec: number, name: string, meaning: string];

/** MQTT 5.0 reason codes, OASIS MQTT 5.0 §2.4 Table 2-6 (lifecycle-formats.md §6.2). */
const MQTT5_ROWS: readonly Mqtt5Row[] = [
  [0x00, "Success / Normal disconnection", "Success; in DISCONNECT a graceful, intended disconnect"],
  [0x01, "Granted QoS 1", "SUBACK: subscription granted at QoS 1"],
  [0x02, "Granted QoS 2", "SUBACK: subscription granted at QoS 2"],
  [0x04, "Disconnect with Will Message", "The client disconnects and wants its will message published"],
  [0x10, "No matching subscribers", "PUBACK: accepted, but nobody subscribes to the topic (informational)"],
  [0x11, "No subscription existed", "UNSUBACK: there was no such subscription (informational)"],
  [0x18, "Continue authentication", "AUTH: enhanced authentication continues"],
  [0x19, "Re-authenticate", "AUTH: the client starts re-authentication"],
  [0x80, "Unspecified error", "The server rejects or disconnects without saying why; its logs have the reason"],
  [0x81, "Malformed Packet", "A packet could not be parsed: client library bug or corrupted stream"],
  [0x82, "Protocol Error", "A packet violates the protocol, for example a second CONNECT or out-of-order packets"],
  [0x83, "Implementation specific error", "A broker-specific rejection, for example by a plugin or hook"],
  [0x84, "Unsupported Protocol Version", "The broker does not speak the requested MQTT version"],
  [0x85, "Client Identifier not valid", "The client ID's format, length or emptiness is not accepted"],
  [0x86, "Bad User Name or Password", "The credentials are wrong, malformed or expired"],
  [0x87, "Not authorized", "Not allowed to connect; in DISCONNECT, credentials revoked or expired mid-session"],
  [0x88, "Server unavailable", "The broker is not ready to accept connections"],
  [0x89, "Server busy", "The broker is overloaded and asks the client to back off"],
  [0x8a, "Banned", "The client is administratively banned"],
  [0x8b, "Server shutting down", "The broker is restarting or being deployed"],
  [0x8c, "Bad authentication method", "The AUTH method is not the one the broker expects"],
  [0x8d, "Keep Alive timeout", "No packet from the client for 1.5 × its keepalive"],
  [0x8e, "Session taken over", "Another connection with the same client ID took the session over"],
  [0x8f, "Topic Filter invalid", "A subscription used a filter the broker rejects"],
  [0x90, "Topic Name invalid", "A publish (or will) used a topic name the broker rejects"],
  [0x91, "Packet Identifier in use", "The packet identifier is already in use: client library bug"],
  [0x92, "Packet Identifier not found", "Session state mismatch between client and broker"],
  [
    0x93,
    "Receive Maximum exceeded",
    "The client sends QoS 1/2 messages faster than the broker acknowledges them: more in flight than its Receive Maximum allows",
  ],
  [0x94, "Topic Alias invalid", "A topic alias was used wrongly"],
  [0x95, "Packet too large", "A packet exceeded the Maximum Packet Size"],
  [0x96, "Message rate too high", "The client publishes faster than the broker allows"],
  [0x97, "Quota exceeded", "An administrative or quota limit was reached"],
  [0x98, "Administrative action", "An operator or API kicked the client"],
  [0x99, "Payload format invalid", "The payload does not match its format indicator"],
  [0x9a, "Retain not supported", "A retained message was published where retain is disabled"],
  [0x9b, "QoS not supported", "A QoS above the broker's maximum was used (for example QoS 2 on ClearBlade)"],
  [0x9c, "Use another server", "Temporary redirect to another server (Server Reference property)"],
  [0x9d, "Server moved", "Permanent redirect to another server"],
  [0x9e, "Shared Subscriptions not supported", "The broker does not support $share subscriptions"],
  [0x9f, "Connection rate exceeded", "The client (or fleet) connects too often: a reconnect storm"],
  [0xa0, "Maximum connect time", "The connection reached the broker's maximum duration"],
  [0xa1, "Subscription Identifiers not supported", "The broker does not support subscription identifiers"],
  [0xa2, "Wildcard Subscriptions not supported", "The broker does not support wildcard subscriptions"],
];

const MQTT5_RELATED: Record<number, string[]> = {
  0x87: ["connack:5", "emqx:not_authorized", "aws:AUTH_ERROR", "azure:401003"],
  0x86: ["connack:4", "emqx:bad_username_or_password"],
  0x8d: ["emqx:keepalive_timeout", "aws:MQTT_KEEP_ALIVE_TIMEOUT", "mosquitto:exceeded-timeout"],
  0x8e: ["emqx:takenover", "aws:DUPLICATE_CLIENTID", "azure:400027", "mosquitto:session-taken-over"],
  0x85: ["connack:2", "emqx:client_identifier_not_valid"],
  0x9f: ["emqx:connection_rate_exceeded", "aws:THROTTLED"],
  0x93: ["hivemq:RECEIVE_MAXIMUM_EXCEEDED", "emqx:receive_maximum_exceeded", "mosquitto:receive-maximum-exceeded", "mqtt5:0x96"],
};

/** Causes and first steps where a code says more than its canonical reason's playbook. */
const MQTT5_EXTRA: Record<number, Pick<KnowledgeRow, "causes" | "steps">> = {
  0x93: {
    causes: [
      "Bursts of QoS 1/2 publishes without waiting for acknowledgements",
      "A client library that ignores the broker's Receive Maximum",
    ],
    steps: [step("Limit in-flight QoS 1/2 messages to the broker's Receive Maximum (client flow control)", "protocol-clean")],
  },
};

export const MQTT5_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "mqtt5",
  "OASIS MQTT 5.0 §2.4 Table 2-6, §3.2.2.2 and §3.14.2.1",
  MQTT5_ROWS.map(([dec, name, meaning]): KnowledgeRow => ({
    key: formatMqtt5Hex(dec),
    name: `${dec} ${name}`,
    meaning,
    related: MQTT5_RELATED[dec] ?? [],
    ...MQTT5_EXTRA[dec],
    expected: dec < 0x80,
  })),
);

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3 Table 3.1) plus the non-standard 6 (aedes) and 13 (ClearBlade). */
export const CONNACK_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "connack",
  "OASIS MQTT 3.1.1 §3.2.2.3 Table 3.1; aedes; ClearBlade docs",
  [
    { key: "0", name: "0x00 Connection Accepted", meaning: "The connection was accepted", expected: true },
    {
      key: "1",
      name: "0x01 Connection Refused, unacceptable protocol version",
      meaning: "The server does not support the requested protocol level",
      causes: ["The client speaks MQTT 5 to a 3.1.1-only broker (for example aedes), or the reverse"],
      steps: [step("Set the client's protocol version to one the broker supports", "protocol-clean")],
      related: ["mqtt5:0x84"],
    },
    {
      key: "2",
      name: "0x02 Connection Refused, identifier rejected",
      meaning: "The client ID is valid UTF-8 but not allowed",
      causes: [
        "Empty client ID with clean session 0",
        "ID too long or with disallowed characters",
        "Wrong ClearBlade client ID path (project, region, registry, device)",
        "A duplicate client ID (ClearBlade)",
      ],
      steps: [step("Use the exact client ID format the platform requires", "client-id-accepted")],
      related: ["mqtt5:0x85", "emqx:client_identifier_not_valid"],
    },
    {
      key: "3",
      name: "0x03 Connection Refused, Server unavailable",
      meaning: "The network connection worked but the MQTT service is unavailable",
      related: ["mqtt5:0x88"],
    },
    {
      key: "4",
      name: "0x04 Connection Refused, bad user name or password",
      meaning: "The credentials are malformed or wrong",
      causes: [
        "Wrong password or token",
        "Expired JWT (ClearBlade: exp − iat over 24 h)",
        "Wrong aud claim or algorithm",
        "Standard base64 instead of base64url",
        "Clock skew over 10 minutes",
        "No public key on the device record",
      ],
      related: ["mqtt5:0x86", "emqx:bad_username_or_password"],
    },
    {
      key: "5",
      name: "0x05 Connection Refused, not authorized",
      meaning: "The client is not authorized to connect (Mosquitto 2.0 also answers 5 to a wrong password)",
      causes: ["ACL or policy denies the connection", "Device or registry disabled", "Wrong password on Mosquitto 2.0"],
      related: ["mqtt5:0x87", "emqx:not_authorized"],
    },
    {
      key: "6",
      name: "6 (non-standard) keep alive limit exceeded",
      meaning: "aedes refuses a keepalive of 0 or above its keepaliveLimit (reserved in MQTT 3.1.1)",
      steps: [keepaliveStep(({ keepaliveSec }) => `Use a keepalive between 1 and the broker's limit (${keepaliveSec} s recommended)`)],
    },
    {
      key: "13",
      name: "0x13 (non-standard, ClearBlade)",
      meaning: "ClearBlade's code for all other connect, disconnect, publish and subscribe events",
    },
  ],
);
