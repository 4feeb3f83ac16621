import { CONNACK_SUCCESS_NAMES, EMQX_CONNACK_REASONS, EMQX_DISCONNECT_REASONS } from "@/lib/sources/emqx-reasons.ts";
import { SOCKET_ERRORS } from "@/lib/sources/socket-errors.ts";
import { buildKnowledgeEntries } from "./canonical-codes.ts";
import { step } from "./playbook.ts";
import type { KnowledgeEntry, KnowledgeRow } from "./types.ts";

type Row = [key: string, meaning: string, related?: string[]];

const toRows = (rows: readonly Row[], extra: Record<string, Partial<KnowledgeRow>> = {}): KnowledgeRow[] =>
  rows.map(([key, meaning, related]) => ({ key, meaning, related, ...extra[key] }));

/** Own words for EMQX's atoms (lifecycle-formats.md §3.2 and §3.3). */
const EMQX_MEANINGS: Record<string, string> = {
  normal: "The client sent DISCONNECT with reason code 0: a graceful, intended disconnect",
  disconnect_with_will_message:
    "The client sent DISCONNECT with reason code 0x04: a graceful, intended disconnect that asks EMQX to publish its will message anyway",
  kicked: "Removed by an administrator (REST API or CLI)",
  administrative_action: "Disconnected by administrative action (DISCONNECT 0x98)",
  discarded: "Another connection with the same client ID and clean_start=true discarded this session",
  takenover: "Another connection with the same client ID and clean_start=false took the session over",
  takeovered: "EMQX 4.x name for takenover: another connection with the same client ID took the session over",
  session_taken_over: "Session taken over by another connection with the same client ID (DISCONNECT 0x8E)",
  keepalive_timeout: "No packet within 1.5 × the keepalive; EMQX closes with 0x8D",
  not_authorized: "Authorization failed or expired (auth_expired leads to DISCONNECT 0x87); as a CONNACK name, the connect was refused",
  auth_expired: "The client's authentication expired (for example a JWT's exp) and EMQX disconnected it",
  expired: "The client's session or credential expired",
  tcp_closed: "The peer closed the TCP socket without sending DISCONNECT",
  ssl_closed: "The peer closed the TLS socket without sending DISCONNECT",
  closed: "The socket was closed",
  sock_closed: "The socket closed with an error EMQX did not reduce to a POSIX name (`{sock_closed, Reason}`)",
  ...Object.fromEntries(SOCKET_ERRORS),
  idle_timeout: "No CONNECT within the idle timeout after the TCP accept (15 s by default)",
  frame_too_large: "A packet exceeded the maximum size (DISCONNECT 0x95)",
  packet_too_large: "A packet exceeded the maximum size (0x95)",
  protocol_error: "Protocol violation, for example multiple CONNECTs (0x82)",
  malformed_packet: "A packet could not be parsed (0x81)",
  receive_maximum_exceeded: "Too many unacknowledged QoS 1/2 messages in flight (0x93)",
  topic_alias_invalid: "A topic alias was used wrongly (0x94)",
  topic_name_invalid: "A topic name was rejected (0x90)",
  payload_format_invalid: "A payload did not match its format indicator (0x99)",
  topic_filter_invalid:
    "EMQX closed the connection with DISCONNECT 0x8F: a topic filter the client subscribed to is well formed but not accepted, for example deeper than the topic-level limit (a filter EMQX refuses in SUBACK instead leaves the connection open)",
  shared_subscriptions_not_supported:
    "EMQX closed the connection with DISCONNECT 0x9E: the client subscribed to a shared subscription ($share/<group>/…) where shared subscriptions are turned off",
  subscription_identifiers_not_supported:
    "EMQX closed the connection with DISCONNECT 0xA1: the client sent a Subscription Identifier in SUBSCRIBE where they are turned off",
  wildcard_subscriptions_not_supported:
    "EMQX closed the connection with DISCONNECT 0xA2: the client subscribed to a filter with + or # where wildcard subscriptions are turned off",
  quota_exceeded: "A quota was exceeded (0x97)",
  message_rate_too_high: "The client published faster than allowed (0x96)",
  connection_rate_exceeded: "The client connected too often (0x9F)",
  server_busy: "The broker is overloaded (0x89)",
  server_shutting_down: "The broker is shutting down (0x8B)",
  use_another_server: "Redirected to another server (0x9C)",
  server_moved: "The server moved permanently (0x9D)",
  maximum_connect_time: "The connection reached its maximum duration (0xA0)",
  ssl_upgrade_timeout: "The TLS handshake did not finish in time",
  internal_error: "Catch-all for reasons that are not atoms; check the EMQX logs",
  unspecified_error: "Unspecified error (0x80)",
  implementation_specific_error: "Broker-specific rejection, for example by a hook (0x83)",
  unacceptable_protocol_version: "CONNACK: the broker does not support the client's protocol level (3.1.1 code 1)",
  unsupported_protocol_version: "CONNACK: unsupported protocol version (0x84)",
  client_identifier_not_valid: "CONNACK: the client ID is not valid (3.1.1 code 2, MQTT 5 0x85)",
  server_unavailable: "CONNACK: the server is unavailable (3.1.1 code 3, 0x88)",
  server_unavaliable: "CONNACK: the server is unavailable (the docs' misspelling of server_unavailable)",
  malformed_username_or_password: "CONNACK: bad user name or password (3.1.1 code 4)",
  bad_username_or_password: "CONNACK: bad user name or password (0x86)",
  bad_authentication_method: "CONNACK: wrong authentication method (0x8C)",
  unauthorized_client: "CONNACK: not authorized (3.1.1 code 5)",
  banned: "CONNACK: the client is banned (0x8A)",
  retain_not_supported: "CONNACK: retain is not supported (0x9A)",
  qos_not_supported: "CONNACK: the QoS is not supported (0x9B)",
  success: "CONNACK: the connection was accepted (MQTT 5 name)",
  connection_accepted: "CONNACK: the connection was accepted (MQTT 3.1.1 name)",
};

const EMQX_RELATED: Record<string, string[]> = {
  disconnect_with_will_message: ["mqtt5:0x04", "emqx:normal", "hivemq:DISCONNECT_WITH_WILL_MESSAGE"],
  topic_filter_invalid: ["mqtt5:0x8F"],
  shared_subscriptions_not_supported: ["mqtt5:0x9E"],
  subscription_identifiers_not_supported: ["mqtt5:0xA1"],
  wildcard_subscriptions_not_supported: ["mqtt5:0xA2"],
  takenover: ["mqtt5:0x8E", "emqx:discarded", "aws:DUPLICATE_CLIENTID"],
  discarded: ["mqtt5:0x8E", "emqx:takenover"],
  keepalive_timeout: ["mqtt5:0x8D", "aws:MQTT_KEEP_ALIVE_TIMEOUT"],
  not_authorized: ["mqtt5:0x87", "connack:5"],
  bad_username_or_password: ["mqtt5:0x86", "connack:4"],
  tcp_closed: ["aws:CONNECTION_LOST", "emqx:ssl_closed"],
};

/** What a name the table above lacks reads as; the knowledge-base test fails on any adapter name that gets it. */
export const genericEmqxMeaning = (key: string): string => `EMQX reason ${key}`;

/** An MQTT 5 feature the broker has turned off; its CONNACK says so (Wildcard, Subscription Identifier or Shared Subscription Available = 0). */
const unsupportedFeature = (feature: string, setting: string): Pick<KnowledgeRow, "causes" | "steps"> => ({
  causes: [
    `The client uses ${feature} without checking the broker's CONNACK, which says they are not available`,
    "A broker configuration change (zone or listener) the devices were not updated for: many devices start failing at once",
  ],
  steps: [step(`Stop the client from using ${feature}, or turn them on in the broker (${setting})`, "manual")],
});

/** Causes and first steps where a name says more than its canonical reason's playbook. */
const EMQX_EXTRA: Record<string, Pick<KnowledgeRow, "causes" | "steps">> = {
  topic_filter_invalid: {
    causes: ["A topic filter with more levels than the broker allows", "A client that builds filters wrongly"],
    steps: [step("Compare the device's subscription filters with the broker's topic-level limit (EMQX mqtt.max_topic_levels)", "manual")],
  },
  shared_subscriptions_not_supported: unsupportedFeature("shared subscriptions", "EMQX mqtt.shared_subscription"),
  subscription_identifiers_not_supported: unsupportedFeature("subscription identifiers", "the broker's MQTT settings"),
  wildcard_subscriptions_not_supported: unsupportedFeature("wildcard subscriptions", "EMQX mqtt.wildcard_subscription"),
};

function buildEmqxRows(): KnowledgeRow[] {
  const keys = new Set([...Object.keys(EMQX_DISCONNECT_REASONS), ...Object.keys(EMQX_CONNACK_REASONS), ...CONNACK_SUCCESS_NAMES]);
  return [...keys].map((key): KnowledgeRow => ({
    key,
    meaning: EMQX_MEANINGS[key] ?? genericEmqxMeaning(key),
    related: EMQX_RELATED[key],
    ...EMQX_EXTRA[key],
    expected: key === "normal" || key === "disconnect_with_will_message" || CONNACK_SUCCESS_NAMES.has(key),
  }));
}

export const EMQX_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "emqx",
  "emqx/emqx-docs mqtt-system-topics.md, rule-sql-events-and-fields.md, faq.md; emqx/emqx emqx_channel.erl, emqx_reason_codes.erl",
  buildEmqxRows(),
);

/** Mosquitto log lines as kebab slugs (2.0 and 2.1 formats, lifecycle-formats.md §4.1). */
const MOSQUITTO_ROWS: readonly Row[] = [
  [
    "exceeded-timeout",
    "`has exceeded timeout, disconnecting` / `disconnected: exceeded timeout`: keepalive expired (1.5 × keepalive)",
    ["mqtt5:0x8D"],
  ],
  [
    "not-authorised",
    "`disconnected, not authorised`: CONNECT auth failed (Mosquitto 2.0 answers CONNACK 5 even for a wrong password)",
    ["connack:5", "mqtt5:0x87"],
  ],
  [
    "closed-connection",
    "`closed its connection` / `connection closed by client`: socket closed (FIN or RST) without DISCONNECT; `<unknown>` = no CONNECT (health check)",
  ],
  [
    "session-taken-over",
    "`already connected, closing old connection` (2.0, level E) / `disconnected: session taken over` (2.1)",
    ["mqtt5:0x8E"],
  ],
  ["disconnected", "`Client X disconnected.`: clean DISCONNECT from the client"],
  ["protocol-error", "`disconnected due to protocol error`: for example a second CONNECT or an invalid protocol version"],
  ["socket-error", "`Socket error on client X, disconnecting` (1.x): the socket failed"],
  ["bad-socket-read-write", "`Bad socket read/write on client X: <reason>`: a socket read or write failed (other than TLS)"],
  ["errno", "`Client X disconnected: <strerror>.`: the socket failed with an operating-system error (for example connection reset)"],
  ["no-longer-authorised", "`disconnected, no longer authorised.` (1.x): the client's access was revoked mid-session", ["mqtt5:0x87"]],
  ["invalid-protocol-version", "`Invalid protocol version N in CONNECT`: refused with CONNACK 1", ["connack:1", "mqtt5:0x84"]],
  ["out-of-memory", "`disconnected due to out of memory`: the broker ran out of memory"],
  ["malformed-packet", "`disconnected due to malformed packet`"],
  ["oversize-packet", "`disconnected due to oversize packet`: over max_packet_size"],
  ["oversize-payload", "`disconnected due to oversize payload`"],
  ["disallowed-feature", "`using not allowed feature (QoS too high, retain not supported, or bad AUTH method)`"],
  ["administrative-action", "`been disconnected by administrative action` (for example dynamic security kicking the client)"],
  [
    "receive-maximum-exceeded",
    "`disconnected: receive maximum exceeded` (2.1): the client sent more unacknowledged QoS 1/2 messages than allowed",
    ["mqtt5:0x93"],
  ],
  ["client-identifier-not-valid", "`disconnected: client identifier not valid` (2.1)"],
  ["bad-username-or-password", "`disconnected: bad username or password` (2.1)"],
  ["server-unavailable", "`disconnected: server unavailable` (2.1)"],
  ["server-busy", "`disconnected: server busy` (2.1)"],
  ["client-banned", "`disconnected: client banned` (2.1)"],
  ["bad-authentication-method", "`disconnected: bad authentication method` (2.1)"],
  ["quota-exceeded", "`disconnected: quota exceeded` (2.1)"],
  ["connection-rate-exceeded", "`disconnected: connection rate exceeded` (2.1)"],
  ["topic-alias-invalid", "`disconnected: topic alias invalid` (2.1)"],
  ["non-matching-http-origin", "`disconnected: non-matching http origin` (2.1, WebSockets)"],
  ["implementation-specific-error", "`disconnected: implementation specific error` (2.1)"],
  ["tls-error", "`Bad socket read/write on client X: A TLS error occurred.` or `Client connection from X failed: <OpenSSL error>`"],
  ["max-connections-exceeded", "`Client connection from X denied: max_connections exceeded`"],
  ["denied-by-tcpd", "`Client connection from X denied access by tcpd` (libwrap builds)"],
  ["session-expired", "`Expiring client X due to timeout`: a persistent session expired"],
];

export const MOSQUITTO_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "mosquitto",
  "eclipse-mosquitto/mosquitto src/loop.c, src/handle_connect.c, src/net.c (v2.0.22, v2.1.2); capture of 2.0.11",
  toRows(MOSQUITTO_ROWS, { disconnected: { expected: true } }),
);

/** HiveMQ reasons in UPPER_SNAKE: its MQTT 5 enum names plus event.log situations (lifecycle-formats.md §7). */
const HIVEMQ_ROWS: readonly Row[] = [
  ["NORMAL_DISCONNECTION", "`disconnected gracefully`: the client sent DISCONNECT", ["mqtt5:0x00"]],
  ["DISCONNECT_WITH_WILL_MESSAGE", "Graceful disconnect asking for the will to be sent", ["mqtt5:0x04"]],
  [
    "CONNECTION_LOST",
    "`disconnected ungracefully`: the TCP connection was lost without DISCONNECT and the broker did not close it (onConnectionLost)",
    ["aws:CONNECTION_LOST", "emqx:tcp_closed"],
  ],
  ["KEEP_ALIVE_TIMEOUT", "`reason: Client was idle for too long`: no packet for 1.5 × the keepalive (0x8D)", ["mqtt5:0x8D"]],
  ["SESSION_TAKEN_OVER", "`reason: Another client connected with the same client id`", ["mqtt5:0x8E"]],
  [
    "NOT_AUTHORIZED",
    "Not authorized (0x87), the code HiveMQ sends with onAuthenticationFailedDisconnect",
    ["mqtt5:0x87", "hivemq:AUTHENTICATION_FAILED"],
  ],
  ["BAD_USER_NAME_OR_PASSWORD", "Bad user name or password (0x86)", ["mqtt5:0x86"]],
  ["BAD_AUTHENTICATION_METHOD", "Bad authentication method (0x8C)"],
  ["AUTHENTICATION_FAILED", "`Authentication failed` / `no authenticator registered` / `Re-authentication failed`"],
  ["ADMINISTRATIVE_ACTION", "Disconnected by the broker or an extension (onServerInitiatedDisconnect)", ["mqtt5:0x98"]],
  [
    "RECEIVE_MAXIMUM_EXCEEDED",
    "`reason: Sent too many concurrent PUBLISH messages`: the client publishes faster than the broker acknowledges, ignoring its Receive Maximum",
    ["mqtt5:0x93", "hivemq:MESSAGE_RATE_TOO_HIGH"],
  ],
  ["PROTOCOL_ERROR", "`Sent second CONNECT message` and other protocol violations", ["mqtt5:0x82"]],
  ["MALFORMED_PACKET", "`Sent CONNECT with …` variants: malformed or invalid CONNECT", ["mqtt5:0x81"]],
  ["CLIENT_IDENTIFIER_NOT_VALID", "`Sent CONNECT with invalid client identifier`", ["mqtt5:0x85"]],
  ["UNSUPPORTED_PROTOCOL_VERSION", "`Sent CONNECT with an invalid protocol version`", ["mqtt5:0x84"]],
  ["NO_CONNECT_IDLE_TIMEOUT", "`No CONNECT sent in time`: TCP open without CONNECT (health checks, scanners)"],
  ["TLS_HANDSHAKE_TIMEOUT", "`TLS handshake not finished in time`: non-TLS client on a TLS port, or a slow device"],
  ["PACKET_TOO_LARGE", "Packet too large (0x95)", ["mqtt5:0x95"]],
  ["MESSAGE_RATE_TOO_HIGH", "Message rate too high (0x96)", ["mqtt5:0x96"]],
  ["QUOTA_EXCEEDED", "Quota exceeded (0x97)", ["mqtt5:0x97"]],
  ["SERVER_SHUTTING_DOWN", "Server shutting down (0x8B)", ["mqtt5:0x8B"]],
  ["SERVER_BUSY", "Server busy (0x89)", ["mqtt5:0x89"]],
  ["TOPIC_NAME_INVALID", "Topic name invalid (0x90)", ["mqtt5:0x90"]],
  ["UNSPECIFIED_ERROR", "Unspecified error (0x80)", ["mqtt5:0x80"]],
  ["SESSION_EXPIRED", "`session has expired`: persistent data removed"],
  ["UNKNOWN", "`was disconnected. reason: <text>` with a text Linkscope does not know; the text is kept as the event's message"],
];

export const HIVEMQ_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "hivemq",
  "hivemq/hivemq-community-edition EventLog.java, ReasonStrings.java (2026.5); HiveMQ KB 'Disconnect reasons (event.log)'",
  toRows(HIVEMQ_ROWS, { NORMAL_DISCONNECTION: { expected: true }, DISCONNECT_WITH_WILL_MESSAGE: { expected: true } }),
);

/** aedes error messages as kebab slugs (lib/client.js, lib/handlers/connect.js; lifecycle-formats.md §5). */
const AEDES_ROWS: readonly Row[] = [
  ["connect-did-not-arrive-in-time", "The connectTimeout fired before CONNECT arrived"],
  ["keep-alive-timeout", "Keepalive expired (timer keepalive × 1500 + 1 ms)", ["mqtt5:0x8D"]],
  ["auth-error", "The authenticate hook failed the client (CONNACK 4 or 5)", ["connack:4", "connack:5"]],
  ["identifier-rejected", "CONNACK 2: client ID rejected", ["connack:2"]],
  ["server-unavailable", "CONNACK 3: server unavailable", ["connack:3"]],
  ["bad-user-name-or-password", "CONNACK 4: bad user name or password", ["connack:4"]],
  ["not-authorized", "CONNACK 5: not authorized", ["connack:5"]],
  ["unacceptable-protocol-version", "CONNACK 1: aedes speaks MQTT 3.1/3.1.1 only (an MQTT 5 CONNECT gets this)", ["connack:1"]],
  ["keep-alive-limit-exceeded", "Non-standard CONNACK 6: keepalive 0 or above keepaliveLimit", ["connack:6"]],
  ["drain-timeout", "The client did not drain its socket in time (slow consumer)"],
  ["connection-closed", "The connection was closed"],
  ["client-queue-limit-reached", "The client's offline queue is full"],
  ...SOCKET_ERRORS.map(([name, meaning]): Row => [name, `Node socket error: ${meaning}`]),
];

export const AEDES_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "aedes",
  "moscajs/aedes lib/client.js, lib/handlers/connect.js (v1.1.1); capture of 1.2.0",
  toRows(AEDES_ROWS),
);

/** libmosquitto client strings seen in device logs, as kebab slugs (lib/strings_mosq.c v2.0.22). */
const LIBMOSQUITTO_ROWS: readonly Row[] = [
  ["connection-refused-unacceptable-protocol-version", "Connection Refused: unacceptable protocol version.", ["connack:1"]],
  ["connection-refused-identifier-rejected", "Connection Refused: identifier rejected.", ["connack:2"]],
  ["connection-refused-broker-unavailable", "Connection Refused: broker unavailable.", ["connack:3"]],
  ["connection-refused-bad-user-name-or-password", "Connection Refused: bad user name or password.", ["connack:4"]],
  ["connection-refused-not-authorised", "Connection Refused: not authorised.", ["connack:5"]],
  ["connection-refused-unknown-reason", "Connection Refused: unknown reason."],
  ["the-connection-was-lost", "The connection was lost. (MOSQ_ERR_CONN_LOST)"],
  ["a-tls-error-occurred", "A TLS error occurred. (MOSQ_ERR_TLS)"],
  ["authorisation-failed", "Authorisation failed. (MOSQ_ERR_AUTH)"],
  ["the-connection-was-refused", "The connection was refused. (MOSQ_ERR_CONN_REFUSED)"],
  ["keepalive-exceeded", "Keepalive exceeded (MOSQ_ERR_KEEPALIVE)"],
  ["tls-handshake-failed", "TLS handshake failed. (MOSQ_ERR_TLS_HANDSHAKE)"],
  ["lookup-error", "Lookup error. (MOSQ_ERR_EAI): DNS resolution failed"],
  ["dns-lookup-failed", "DNS Lookup failed (MOSQ_ERR_LOOKUP)"],
  [
    "a-network-protocol-error-occurred-when-communicating-with-the-broker",
    "A network protocol error occurred when communicating with the broker. (MOSQ_ERR_PROTOCOL)",
  ],
  [
    "not-authorized",
    "`Not authorized`: the MQTT 5 reason string libmosquitto prints for a refused CONNECT (0x87)",
    ["mqtt5:0x87", "connack:5"],
  ],
];

export const LIBMOSQUITTO_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "libmosquitto",
  "eclipse-mosquitto/mosquitto lib/strings_mosq.c (v2.0.22)",
  toRows(LIBMOSQUITTO_ROWS),
);

/** Retired Google Cloud IoT Core status messages, as kebab slugs of the text after `SERVER:`. */
const GCP_ROWS: readonly Row[] = [
  [
    "the-connection-was-closed-because-mqtt-keep-alive-check-failed",
    "The connection was closed because MQTT keep-alive check failed.",
    ["mqtt5:0x8D"],
  ],
  [
    "the-connection-was-closed-because-there-is-another-active-connection-with-the-same-device-id",
    "Another active connection with the same device ID (code 6 ALREADY_EXISTS)",
    ["mqtt5:0x8E"],
  ],
  ["the-connection-is-closed-because-the-server-is-shutting-down", "The server is shutting down.", ["mqtt5:0x8B"]],
  ["the-authorization-token-expired", "The authorization token (JWT) expired (code 16 UNAUTHENTICATED)"],
  ["the-connection-broke-or-was-closed-by-client", "The connection broke or was closed by the client."],
  ["unknown-topic", "Publishing to an unknown topic (for example missing /events) made the bridge disconnect the client"],
];

/**
 * ClearBlade IoT Core situations from its troubleshooting guide, as kebab slugs; its `lastErrorStatus` strings are
 * assumed to mirror Google's (lifecycle-formats.md §8), so those rows are shared.
 */
const CLEARBLADE_ROWS: readonly Row[] = [
  ["jwt-expired", "The JWT's exp passed (plus skew); ClearBlade closes the MQTT connection a few seconds after exp", ["connack:4"]],
  [
    "errored-in-authentication-sending-connack-rc4-and-closing",
    "Broker log: authentication failed, CONNACK 4 sent (expired JWT, wrong aud, base64 instead of base64url, clock skew, missing public key, algorithm mismatch)",
    ["connack:4"],
  ],
  ["idle-timeout", "No MQTT activity for 20 minutes: the connection is terminated regardless of keepalive"],
  ["read-tcp-i-o-timeout", "Broker log `closing client due to error: read tcp i/o timeout`: no PINGREQ within the keepalive interval"],
  [
    "duplicate-client-id",
    "Another active connection with the same device ID closed this one",
    ["gcp-iot:the-connection-was-closed-because-there-is-another-active-connection-with-the-same-device-id"],
  ],
  ["no-pubsub-topic-configured", "Telemetry published while the registry has no Pub/Sub topic: the connection is closed"],
  ["qos-2-not-supported", "Publishing QoS 2 closes the connection (only QoS 0 and 1 are supported)", ["mqtt5:0x9B"]],
  ["registry-is-not-active", "The registry is disabled"],
  ["device-is-not-active", "The device is disabled (blocked)"],
  [
    "client-id-rejected",
    "CONNACK 2: the client ID is not projects/{project}/locations/{region}/registries/{registry}/devices/{device}",
    ["connack:2"],
  ],
  ["reconnected-too-quickly", "ClearBlade rate-limits rapid reconnections: back off from 1 s doubling to 60 s with jitter"],
  ["tls-handshake-reset", "TCP RST during the TLS handshake: TLS below 1.2, carrier DPI, or load-balancer health"],
  ["certificate-name-mismatch", "`no alternative certificate subject name matches target host name`: wrong root CA or legacy G1 URL"],
  ["server-maintenance", "Scheduled maintenance (status.clearblade.com)"],
];

export const CLEARBLADE_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "clearblade",
  "ClearBlade 'Troubleshooting IoT Core MQTT Device Connection Issues' and 'Using JSON Web Tokens'",
  toRows([...CLEARBLADE_ROWS, ...GCP_ROWS.filter(([key]) => key.startsWith("the-"))], {
    "jwt-expired": {
      steps: [step("Reconnect with a fresh JWT before exp; keep exp − iat ≤ 24 h (check with /tools/jwt)", "renews-before-expiry")],
    },
    "errored-in-authentication-sending-connack-rc4-and-closing": {
      steps: [
        step(
          "Decode the JWT in /tools/jwt: exp − iat ≤ 24 h, aud = project ID, alg RS256/ES256, base64url, iat within 10 min of now",
          "manual",
        ),
      ],
    },
  }),
);

export const GCP_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "gcp-iot",
  "GitHub issues quoting Cloud IoT Core lastErrorStatus (google-cloud-iot-arduino #211, #225; faucetsdn/udmi #380)",
  toRows(GCP_ROWS),
);

/** Errors the Linkscope diagnostics agent (MQTT.js) reports, by Node error code or MQTT.js error name. */
const AGENT_ROWS: readonly Row[] = [
  ["ECONNRESET", "The TCP connection was reset by the peer or a middlebox"],
  ["ECONNREFUSED", "Nothing accepted the connection: wrong host or port, or a firewall"],
  ["ETIMEDOUT", "A socket operation timed out: blocked port or dead path"],
  ["ENOTFOUND", "DNS could not resolve the broker host"],
  ["EAI_AGAIN", "Temporary DNS failure"],
  ["EPIPE", "Wrote to a socket the peer had closed"],
  ["EHOSTUNREACH", "No route to the broker host"],
  ["ENETUNREACH", "The network is unreachable (interface down)"],
  ["ECONNABORTED", "The connection was aborted"],
  ["ENETDOWN", "The network interface is down"],
  ["CONNECTION_CLOSED", "The connection closed without an error: the broker or something on the path closed it"],
  ["CLOSED_BEFORE_CONNACK", "The connection closed after CONNECT but before the CONNACK arrived"],
  ["CREDENTIALS_UNAVAILABLE", "The agent had no valid credentials to connect with (token provider failed or expired)"],
  ["KEEPALIVE_TIMEOUT", "MQTT.js got no PINGRESP in time (`Keepalive timeout`)"],
  ["CONNACK_TIMEOUT", "MQTT.js got no CONNACK within connectTimeout"],
  ["CERT_HAS_EXPIRED", "The server certificate (or the device clock) says expired"],
  ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "The device lacks the CA that signed the server certificate"],
  ["SELF_SIGNED_CERT_IN_CHAIN", "A self-signed certificate in the chain is not trusted"],
  ["DEPTH_ZERO_SELF_SIGNED_CERT", "The server presents a self-signed certificate"],
  ["ERR_TLS_CERT_ALTNAME_INVALID", "The certificate's host name does not match the endpoint"],
  ["system_event:power_save", "The device reported a power-save or suspend event"],
  ["system_event:network_change", "The device reported a network interface change (roaming, switching networks)"],
  ["system_event:dhcp_renewal", "The device reported a DHCP renewal"],
  ["system_event:other", "The device reported another system event"],
];

export const AGENT_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "agent",
  "Node.js errno and TLS error codes; MQTT.js client errors",
  toRows(AGENT_ROWS),
);
