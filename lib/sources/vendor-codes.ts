import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { CONNACK_SUCCESS_NAMES, EMQX_CONNACK_REASONS, EMQX_DISCONNECT_REASONS } from "./emqx-reasons.ts";
import { recogniseRateLimiting } from "./rate-limit-reasons.ts";
import { SOCKET_ERRORS } from "./socket-errors.ts";

/**
 * THE table: every vendor code Linkscope knows, namespaced exactly as stored in `connection_events.code`, with
 * its canonical reason and who initiated the disconnect. It is the only owner of reason and initiator: adapters
 * store what `mapVendorCode` says, and the knowledge base (lib/knowledge) takes both from here, holding only
 * meaning, causes and steps. `docs/vendor-codes.md` is generated from it (`npm run docs:codes`); unit tests fail
 * when the page is stale or when a code is known on one side only. Sources: lifecycle-formats.md per section.
 *
 * Initiator is the side that ended or refused the connection, as AWS's `clientInitiatedDisconnect` reads it: a
 * broker that refuses a CONNACK or cuts a client for a protocol violation or bad credentials is `server` (the
 * reason names the client's fault); `network` is a path that failed (socket closed without DISCONNECT, keepalive
 * expiry, DNS); device-side library errors name the side the library reports (its own stop: `client`).
 */
export type VendorCode = { code: string; reason: Reason; initiator: Initiator; meaning: string };

type Row = readonly [code: string, reason: Reason, initiator: Initiator, meaning: string];

// §1.4 AWS IoT Core disconnectReason, connect_failed connectFailureReason, and §1.5 CloudWatch status.
const AWS: Row[] = [
  ["aws:AUTH_ERROR", "not_authorized", "server", "Authentication or authorization failed"],
  ["aws:CLIENT_INITIATED_DISCONNECT", "client_disconnect", "client", "The client sent DISCONNECT or a WebSocket Close frame"],
  ["aws:CLIENT_ERROR", "protocol_error", "server", "The client broke a protocol rule or limit"],
  ["aws:CONNECTION_LOST", "connection_lost", "network", "The connection was cut off (or an MQTT5 client closed without DISCONNECT)"],
  ["aws:DUPLICATE_CLIENTID", "session_taken_over", "server", "Another connection used the same client ID; the existing one was dropped"],
  ["aws:FORBIDDEN_ACCESS", "not_authorized", "server", "The client is not allowed to connect (e.g. denied IP address)"],
  ["aws:MQTT_KEEP_ALIVE_TIMEOUT", "keepalive_timeout", "network", "No traffic for 1.5 × the client's keep-alive"],
  ["aws:SERVER_ERROR", "server_error", "server", "Unexpected server issue"],
  [
    "aws:SERVER_INITIATED_DISCONNECT",
    "server_shutdown",
    "server",
    "The server disconnected the client for operational reasons (maintenance)",
  ],
  ["aws:API_INITIATED_DISCONNECT", "admin_disconnect", "server", "Disconnected by the DeleteConnection API"],
  ["aws:THROTTLED", "throttled", "server", "A throttling limit was exceeded"],
  ["aws:WEBSOCKET_TTL_EXPIRATION", "session_ttl", "server", "A WebSocket connection outlived its time-to-live"],
  ["aws:CUSTOMAUTH_TTL_EXPIRATION", "credential_expired", "server", "The custom authorizer's disconnectAfterInSeconds elapsed"],
  ["aws:UNKNOWN", "unknown", "unknown", "SDK enum value: reason unknown"],
  ["aws:NONE", "unknown", "unknown", "SDK enum value: no reason"],
  ["aws:AUTHORIZATION_FAILED", "not_authorized", "server", "connect_failed: not authorized to connect, or LWT topic not allowed"],
  // The failed Connect entry of CloudWatch's AWSIotLogsV2 log is undocumented (§1.5); this spelling is the one seen in
  // practice. Whatever the spelling, an authorization failure is one: read as `unknown`, every CloudWatch-only refusal
  // hid the credential problem.
  [
    "aws:AUTHORIZATION_FAILURE",
    "not_authorized",
    "server",
    "CloudWatch failed Connect: not authorized to connect (as AUTHORIZATION_FAILED)",
  ],
  ["aws:Failure", "unknown", "unknown", "CloudWatch AWSIotLogsV2 Connect entry with status Failure (reason field undocumented)"],
];

// §2.4 Azure IoT Hub error codes (resultType of the Connections resource log).
const AZURE: Row[] = [
  [
    "azure:400027",
    "session_taken_over",
    "server",
    "ConnectionForcefullyClosedOnNewConnection: another client opened a connection with the same identity",
  ],
  ["azure:400029", "server_shutdown", "server", "ConnectionForcefullyClosedOnFaultInjection: closed during service upgrades"],
  ["azure:400030", "server_shutdown", "server", "ConnectionRejectedOnFaultInjection: new connections rejected during upgrades"],
  ["azure:401000", "auth_failed", "server", "GenericUnauthorized"],
  ["azure:401002", "not_authorized", "server", "IotHubUnauthorizedAccess"],
  ["azure:401003", "auth_failed", "server", "IoTHubUnauthorized: authentication failed (often the normal SAS renewal)"],
  ["azure:403002", "quota_exceeded", "server", "IotHubQuotaExceeded: daily message quota exceeded"],
  ["azure:403004", "quota_exceeded", "server", "DeviceMaximumQueueDepthExceeded"],
  ["azure:403006", "quota_exceeded", "server", "DeviceMaximumActiveFileUploadLimitExceeded"],
  ["azure:403012", "not_authorized", "server", "DeviceDisabled"],
  ["azure:404001", "not_authorized", "server", "DeviceNotFound: not registered (or disabled)"],
  ["azure:404103", "connection_lost", "unknown", "DeviceNotOnline"],
  ["azure:404104", "connection_lost", "unknown", "DeviceConnectionClosedRemotely"],
  ["azure:409002", "session_taken_over", "server", "LinkCreationConflict: more than one connection for a client"],
  ["azure:412002", "protocol_error", "server", "DeviceMessageLockLost"],
  ["azure:429001", "throttled", "server", "ThrottlingException"],
  ["azure:429002", "throttled", "server", "ThrottleBacklogLimitExceeded"],
  ["azure:429003", "throttled", "server", "ThrottlingBacklogTimeout"],
  ["azure:429005", "throttled", "server", "DeviceThrottlingLimitExceeded"],
  ["azure:500001", "server_error", "server", "ServerError"],
  ["azure:500008", "server_error", "server", "GenericTimeout"],
  ["azure:503001", "server_error", "server", "ServiceUnavailable"],
  ["azure:503003", "server_error", "server", "PartitionNotFound"],
  ["azure:503005", "throttled", "server", "ServerBusy"],
  ["azure:503008", "throttled", "server", "ReceiveLinkOpensThrottled"],
  ["azure:504101", "server_error", "server", "GatewayTimeout"],
  // §2.5 Azure IoT C SDK IOTHUB_CLIENT_CONNECTION_STATUS_REASON, as devices report it.
  [
    "azure:IOTHUB_CLIENT_CONNECTION_EXPIRED_SAS_TOKEN",
    "credential_expired",
    "client",
    "Device SDK: the SAS token expired (the SDK renews it and reconnects)",
  ],
  ["azure:IOTHUB_CLIENT_CONNECTION_DEVICE_DISABLED", "not_authorized", "server", "Device SDK: the device is disabled in the registry"],
  ["azure:IOTHUB_CLIENT_CONNECTION_BAD_CREDENTIAL", "auth_failed", "server", "Device SDK: the credentials were rejected"],
  ["azure:IOTHUB_CLIENT_CONNECTION_RETRY_EXPIRED", "connection_lost", "client", "Device SDK: the retry policy gave up"],
  [
    "azure:IOTHUB_CLIENT_CONNECTION_NO_NETWORK",
    "connection_lost",
    "network",
    "Device SDK: no network (also reported when a connected device is disabled)",
  ],
  ["azure:IOTHUB_CLIENT_CONNECTION_COMMUNICATION_ERROR", "connection_lost", "network", "Device SDK: communication error"],
  ["azure:IOTHUB_CLIENT_CONNECTION_OK", "connected", "client", "Device SDK: connected and authenticated"],
  [
    "azure:IOTHUB_CLIENT_CONNECTION_NO_PING_RESPONSE",
    "keepalive_timeout",
    "network",
    "Device SDK: no PINGRESP in time (newer SDK versions)",
  ],
];

// §2.6 Azure Event Grid MQTT broker disconnectionReason.
const AZURE_EGMQTT: Row[] = [
  ["azure-egmqtt:ClientAuthenticationError", "auth_failed", "server", "Cert expired, client disabled or client config changed"],
  ["azure-egmqtt:ClientAuthorizationError", "not_authorized", "server", "Topic spaces, permission bindings or client groups changed"],
  ["azure-egmqtt:ClientError", "protocol_error", "server", "Bad request, or an unsupported feature was used"],
  ["azure-egmqtt:ClientInitiatedDisconnect", "client_disconnect", "client", "Graceful DISCONNECT or WebSocket close frame"],
  ["azure-egmqtt:ConnectionLost", "connection_lost", "network", "Connection lost"],
  ["azure-egmqtt:IpForbidden", "not_authorized", "server", "Blocked by the IP filter or private link configuration"],
  ["azure-egmqtt:QuotaExceeded", "throttled", "server", "Throttling limits exceeded"],
  ["azure-egmqtt:ServerError", "server_error", "server", "Unexpected server error"],
  ["azure-egmqtt:ServerInitiatedDisconnect", "server_shutdown", "server", "Graceful server disconnect for operational reasons"],
  ["azure-egmqtt:SessionOverflow", "quota_exceeded", "server", "The queue of unacknowledged QoS 1 messages hit its limit"],
  [
    "azure-egmqtt:SessionTakenOver",
    "session_taken_over",
    "server",
    "Reconnect with the same authentication name ended the previous connection",
  ],
];

// §4.1 Mosquitto log lines (1.x, 2.0.x, 2.1.x), slugged.
const MOSQUITTO: Row[] = [
  ["mosquitto:disconnected", "client_disconnect", "client", "Client X disconnected. (clean DISCONNECT)"],
  [
    "mosquitto:closed-connection",
    "connection_lost",
    "network",
    "Client X closed its connection / connection closed by client (no DISCONNECT)",
  ],
  ["mosquitto:socket-error", "connection_lost", "network", "1.x: Socket error on client X, disconnecting."],
  ["mosquitto:exceeded-timeout", "keepalive_timeout", "network", "Client X has exceeded timeout (1.5 × keep-alive)"],
  ["mosquitto:not-authorised", "auth_failed", "server", "Client X disconnected, not authorised. (CONNECT auth failed)"],
  ["mosquitto:no-longer-authorised", "not_authorized", "server", "1.x: Client X disconnected, no longer authorised."],
  ["mosquitto:protocol-error", "protocol_error", "server", "Client X disconnected due to protocol error."],
  ["mosquitto:malformed-packet", "protocol_error", "server", "Client X disconnected due to malformed packet."],
  ["mosquitto:oversize-packet", "protocol_error", "server", "Client X disconnected due to oversize packet."],
  ["mosquitto:oversize-payload", "protocol_error", "server", "Client X disconnected due to oversize payload."],
  ["mosquitto:out-of-memory", "server_error", "server", "Client X disconnected due to out of memory."],
  ["mosquitto:disallowed-feature", "protocol_error", "server", "QoS too high, retain not supported, or bad AUTH method"],
  ["mosquitto:administrative-action", "admin_disconnect", "server", "Client X been disconnected by administrative action."],
  [
    "mosquitto:session-taken-over",
    "session_taken_over",
    "server",
    "Client X already connected, closing old connection / session taken over",
  ],
  ["mosquitto:errno", "connection_lost", "network", "Client X disconnected: <strerror>."],
  ["mosquitto:bad-socket-read-write", "connection_lost", "network", "Bad socket read/write on client X: <reason>"],
  ["mosquitto:tls-error", "tls_error", "network", "Bad socket read/write: A TLS error occurred. / TLS accept failed"],
  ["mosquitto:invalid-protocol-version", "protocol_error", "server", "Invalid protocol version in CONNECT (CONNACK 1)"],
  ["mosquitto:max-connections-exceeded", "throttled", "server", "Client connection denied: max_connections exceeded"],
  ["mosquitto:denied-by-tcpd", "not_authorized", "server", "Client connection denied access by tcpd"],
  ["mosquitto:receive-maximum-exceeded", "throttled", "server", "2.1: receive maximum exceeded"],
  ["mosquitto:implementation-specific-error", "server_error", "server", "2.1: implementation specific error"],
  ["mosquitto:client-identifier-not-valid", "protocol_error", "server", "2.1: client identifier not valid"],
  ["mosquitto:bad-username-or-password", "auth_failed", "server", "2.1: bad username or password"],
  ["mosquitto:server-unavailable", "server_error", "server", "2.1: server unavailable"],
  ["mosquitto:server-busy", "throttled", "server", "2.1: server busy"],
  ["mosquitto:client-banned", "not_authorized", "server", "2.1: client banned"],
  ["mosquitto:bad-authentication-method", "auth_failed", "server", "2.1: bad authentication method"],
  ["mosquitto:quota-exceeded", "quota_exceeded", "server", "2.1: quota exceeded"],
  ["mosquitto:connection-rate-exceeded", "throttled", "server", "2.1: connection rate exceeded"],
  ["mosquitto:topic-alias-invalid", "protocol_error", "server", "2.1: topic alias invalid"],
  ["mosquitto:non-matching-http-origin", "not_authorized", "server", "2.1: non-matching http origin (WebSockets)"],
  ["mosquitto:session-expired", "session_ttl", "server", "Expiring client X due to timeout (persistent session expired)"],
];

// §7 HiveMQ event.log; codes follow HiveMQ's UPPER_SNAKE reason-code enums.
const HIVEMQ: Row[] = [
  ["hivemq:NORMAL_DISCONNECTION", "client_disconnect", "client", "disconnected gracefully"],
  ["hivemq:DISCONNECT_WITH_WILL_MESSAGE", "client_disconnect", "client", "Graceful disconnect asking for the will to be sent (0x04)"],
  ["hivemq:CONNECTION_LOST", "connection_lost", "network", "disconnected ungracefully (TCP lost, broker did not close it)"],
  ["hivemq:KEEP_ALIVE_TIMEOUT", "keepalive_timeout", "network", "reason: Client was idle for too long"],
  ["hivemq:SESSION_TAKEN_OVER", "session_taken_over", "server", "reason: Another client connected with the same client id"],
  ["hivemq:RECEIVE_MAXIMUM_EXCEEDED", "throttled", "server", "reason: Sent too many concurrent PUBLISH messages"],
  ["hivemq:PROTOCOL_ERROR", "protocol_error", "server", "reason: Sent second CONNECT message, or another CONNECT violation"],
  ["hivemq:CLIENT_IDENTIFIER_NOT_VALID", "protocol_error", "server", "reason: Sent CONNECT with invalid client identifier"],
  ["hivemq:UNSUPPORTED_PROTOCOL_VERSION", "protocol_error", "server", "reason: Sent CONNECT with an invalid protocol version"],
  ["hivemq:NO_CONNECT_IDLE_TIMEOUT", "idle_timeout", "server", "reason: No CONNECT sent in time (health checks, scanners)"],
  ["hivemq:TLS_HANDSHAKE_TIMEOUT", "tls_error", "network", "reason: TLS handshake not finished in time"],
  ["hivemq:NOT_AUTHORIZED", "not_authorized", "server", "Not authorized (0x87), the MQTT 5 code of onAuthenticationFailedDisconnect"],
  [
    "hivemq:AUTHENTICATION_FAILED",
    "auth_failed",
    "server",
    "reason: Authentication failed / no authenticator registered / Re-authentication failed",
  ],
  ["hivemq:ADMINISTRATIVE_ACTION", "admin_disconnect", "server", "Disconnected by an extension or administrator"],
  ["hivemq:SESSION_EXPIRED", "session_ttl", "server", "session has expired; persistent data removed"],
  ["hivemq:BAD_USER_NAME_OR_PASSWORD", "auth_failed", "server", "Bad user name or password (0x86)"],
  ["hivemq:BAD_AUTHENTICATION_METHOD", "auth_failed", "server", "Bad authentication method (0x8C)"],
  ["hivemq:MALFORMED_PACKET", "protocol_error", "server", "Malformed or invalid CONNECT (0x81)"],
  ["hivemq:PACKET_TOO_LARGE", "protocol_error", "server", "Packet too large (0x95)"],
  ["hivemq:TOPIC_NAME_INVALID", "protocol_error", "server", "Topic name invalid (0x90)"],
  ["hivemq:MESSAGE_RATE_TOO_HIGH", "throttled", "server", "Message rate too high (0x96)"],
  ["hivemq:QUOTA_EXCEEDED", "quota_exceeded", "server", "Quota exceeded (0x97)"],
  ["hivemq:SERVER_BUSY", "throttled", "server", "Server busy (0x89)"],
  ["hivemq:SERVER_SHUTTING_DOWN", "server_shutdown", "server", "Server shutting down (0x8B)"],
  ["hivemq:UNSPECIFIED_ERROR", "server_error", "server", "Unspecified error (0x80)"],
  ["hivemq:UNKNOWN", "unknown", "server", "was disconnected with a reason text Linkscope does not know (kept in message)"],
];

// §5.2/5.3 aedes error messages (slugged), as reported by embedded brokers or devices.
const AEDES: Row[] = [
  ["aedes:keep-alive-timeout", "keepalive_timeout", "network", "keep alive timeout"],
  ["aedes:connect-did-not-arrive-in-time", "idle_timeout", "server", "connect did not arrive in time"],
  ["aedes:auth-error", "auth_failed", "server", "Auth error (authenticate callback error)"],
  ["aedes:bad-user-name-or-password", "auth_failed", "server", "bad user name or password (CONNACK 4)"],
  ["aedes:not-authorized", "not_authorized", "server", "not authorized (CONNACK 5)"],
  ["aedes:identifier-rejected", "protocol_error", "server", "identifier rejected (CONNACK 2)"],
  ["aedes:server-unavailable", "server_error", "server", "Server unavailable (CONNACK 3)"],
  ["aedes:unacceptable-protocol-version", "protocol_error", "server", "unacceptable protocol version (CONNACK 1; MQTT 5 clients)"],
  ["aedes:keep-alive-limit-exceeded", "protocol_error", "server", "keep alive limit exceeded (non-standard CONNACK 6)"],
  ["aedes:drain-timeout", "connection_lost", "network", "drain timeout (slow consumer)"],
  ["aedes:connection-closed", "connection_lost", "network", "connection closed"],
  ["aedes:client-queue-limit-reached", "quota_exceeded", "server", "Client queue limit reached"],
  ...SOCKET_ERRORS.map(([name, meaning]): Row => [`aedes:${name}`, "connection_lost", "network", meaning]),
];

// §6.1 MQTT 3.1.1 CONNACK return codes (plus aedes' 6 and ClearBlade's 13).
const CONNACK: Row[] = [
  ["connack:0", "connected", "client", "Connection Accepted"],
  ["connack:1", "protocol_error", "server", "Connection Refused, unacceptable protocol version"],
  ["connack:2", "protocol_error", "server", "Connection Refused, identifier rejected"],
  ["connack:3", "server_error", "server", "Connection Refused, Server unavailable"],
  ["connack:4", "auth_failed", "server", "Connection Refused, bad user name or password"],
  ["connack:5", "not_authorized", "server", "Connection Refused, not authorized (Mosquitto 2.0.11 also for a wrong password)"],
  ["connack:6", "protocol_error", "server", "Non-standard (aedes): keep alive limit exceeded"],
  ["connack:13", "unknown", "server", "Non-standard (ClearBlade 0x13): all other events for connect, disconnect, publish, subscribe"],
];

// §6.2 MQTT 5 reason codes valid in CONNACK or DISCONNECT.
const MQTT5: Row[] = [
  ["mqtt5:0x00", "client_disconnect", "client", "Success / Normal disconnection"],
  ["mqtt5:0x01", "connected", "server", "Granted QoS 1 (SUBACK)"],
  ["mqtt5:0x02", "connected", "server", "Granted QoS 2 (SUBACK)"],
  ["mqtt5:0x04", "client_disconnect", "client", "Disconnect with Will Message"],
  ["mqtt5:0x10", "connected", "server", "No matching subscribers (PUBACK, informational)"],
  ["mqtt5:0x11", "connected", "server", "No subscription existed (UNSUBACK, informational)"],
  ["mqtt5:0x18", "connected", "server", "Continue authentication (AUTH)"],
  ["mqtt5:0x19", "connected", "client", "Re-authenticate (AUTH)"],
  ["mqtt5:0x80", "server_error", "server", "Unspecified error"],
  ["mqtt5:0x81", "protocol_error", "server", "Malformed Packet"],
  ["mqtt5:0x82", "protocol_error", "server", "Protocol Error"],
  ["mqtt5:0x83", "server_error", "server", "Implementation specific error"],
  ["mqtt5:0x84", "protocol_error", "server", "Unsupported Protocol Version"],
  ["mqtt5:0x85", "protocol_error", "server", "Client Identifier not valid"],
  ["mqtt5:0x86", "auth_failed", "server", "Bad User Name or Password"],
  ["mqtt5:0x87", "not_authorized", "server", "Not authorized"],
  ["mqtt5:0x88", "server_error", "server", "Server unavailable"],
  ["mqtt5:0x89", "throttled", "server", "Server busy"],
  ["mqtt5:0x8A", "not_authorized", "server", "Banned"],
  ["mqtt5:0x8B", "server_shutdown", "server", "Server shutting down"],
  ["mqtt5:0x8C", "auth_failed", "server", "Bad authentication method"],
  ["mqtt5:0x8D", "keepalive_timeout", "network", "Keep Alive timeout"],
  ["mqtt5:0x8E", "session_taken_over", "server", "Session taken over"],
  ["mqtt5:0x8F", "protocol_error", "server", "Topic Filter invalid"],
  ["mqtt5:0x90", "protocol_error", "server", "Topic Name invalid"],
  ["mqtt5:0x91", "protocol_error", "server", "Packet Identifier in use"],
  ["mqtt5:0x92", "protocol_error", "server", "Packet Identifier not found"],
  ["mqtt5:0x93", "throttled", "server", "Receive Maximum exceeded"],
  ["mqtt5:0x94", "protocol_error", "server", "Topic Alias invalid"],
  ["mqtt5:0x95", "protocol_error", "server", "Packet too large"],
  ["mqtt5:0x96", "throttled", "server", "Message rate too high"],
  ["mqtt5:0x97", "quota_exceeded", "server", "Quota exceeded"],
  ["mqtt5:0x98", "admin_disconnect", "server", "Administrative action"],
  ["mqtt5:0x99", "protocol_error", "server", "Payload format invalid"],
  ["mqtt5:0x9A", "protocol_error", "server", "Retain not supported"],
  ["mqtt5:0x9B", "protocol_error", "server", "QoS not supported"],
  ["mqtt5:0x9C", "server_shutdown", "server", "Use another server"],
  ["mqtt5:0x9D", "server_shutdown", "server", "Server moved"],
  ["mqtt5:0x9E", "protocol_error", "server", "Shared Subscriptions not supported"],
  ["mqtt5:0x9F", "throttled", "server", "Connection rate exceeded"],
  ["mqtt5:0xA0", "session_ttl", "server", "Maximum connect time"],
  ["mqtt5:0xA1", "protocol_error", "server", "Subscription Identifiers not supported"],
  ["mqtt5:0xA2", "protocol_error", "server", "Wildcard Subscriptions not supported"],
];

// §4.7 libmosquitto strings seen in device logs (slugged).
const LIBMOSQUITTO: Row[] = [
  [
    "libmosquitto:connection-refused-unacceptable-protocol-version",
    "protocol_error",
    "server",
    "Connection Refused: unacceptable protocol version.",
  ],
  ["libmosquitto:connection-refused-identifier-rejected", "protocol_error", "server", "Connection Refused: identifier rejected."],
  ["libmosquitto:connection-refused-broker-unavailable", "server_error", "server", "Connection Refused: broker unavailable."],
  ["libmosquitto:connection-refused-bad-user-name-or-password", "auth_failed", "server", "Connection Refused: bad user name or password."],
  ["libmosquitto:connection-refused-not-authorised", "not_authorized", "server", "Connection Refused: not authorised."],
  ["libmosquitto:connection-refused-unknown-reason", "unknown", "server", "Connection Refused: unknown reason."],
  ["libmosquitto:the-connection-was-lost", "connection_lost", "network", "The connection was lost. (CONN_LOST)"],
  ["libmosquitto:a-tls-error-occurred", "tls_error", "network", "A TLS error occurred."],
  ["libmosquitto:authorisation-failed", "not_authorized", "server", "Authorisation failed."],
  ["libmosquitto:the-connection-was-refused", "connection_lost", "network", "The connection was refused."],
  ["libmosquitto:keepalive-exceeded", "keepalive_timeout", "network", "Keepalive exceeded"],
  ["libmosquitto:tls-handshake-failed", "tls_error", "network", "TLS handshake failed."],
  ["libmosquitto:lookup-error", "connection_lost", "network", "Lookup error. (EAI)"],
  ["libmosquitto:dns-lookup-failed", "connection_lost", "network", "DNS Lookup failed"],
  [
    "libmosquitto:a-network-protocol-error-occurred-when-communicating-with-the-broker",
    "protocol_error",
    "unknown",
    "A network protocol error occurred when communicating with the broker.",
  ],
  ["libmosquitto:not-authorized", "not_authorized", "server", "Not authorized (MQTT 5 reason string)"],
];

// §8/§9 Google Cloud IoT Core lastErrorStatus strings, which ClearBlade is assumed to mirror (unconfirmed).
const CLOUD_IOT_STRINGS: ReadonlyArray<readonly [slug: string, reason: Reason, initiator: Initiator, meaning: string]> = [
  [
    "the-connection-was-closed-because-mqtt-keep-alive-check-failed",
    "keepalive_timeout",
    "network",
    "SERVER: The connection was closed because MQTT keep-alive check failed.",
  ],
  [
    "the-connection-was-closed-because-there-is-another-active-connection-with-the-same-device-id",
    "session_taken_over",
    "server",
    "SERVER: … another active connection with the same device ID (ALREADY_EXISTS)",
  ],
  [
    "the-connection-is-closed-because-the-server-is-shutting-down",
    "server_shutdown",
    "server",
    "SERVER: The connection is closed because the server is shutting down.",
  ],
  ["the-authorization-token-expired", "credential_expired", "server", "SERVER: The authorization token expired. (JWT exp passed)"],
  ["the-connection-broke-or-was-closed-by-client", "connection_lost", "network", "The connection broke or was closed by client"],
];
const GCP_IOT: Row[] = [
  ...CLOUD_IOT_STRINGS.map(([slug, r, i, m]) => [`gcp-iot:${slug}`, r, i, m] as const),
  [
    "gcp-iot:unknown-topic",
    "protocol_error",
    "server",
    "Publishing to an unknown topic (e.g. missing /events) made the bridge disconnect the client",
  ],
];
// §8 ClearBlade situations from its troubleshooting guide (slugged), then the mirrored Google strings.
const CLEARBLADE: Row[] = [
  [
    "clearblade:jwt-expired",
    "credential_expired",
    "server",
    "The JWT's exp passed (plus skew); the connection is closed a few seconds after exp",
  ],
  [
    "clearblade:errored-in-authentication-sending-connack-rc4-and-closing",
    "auth_failed",
    "server",
    "Broker log: authentication failed, CONNACK 4 sent",
  ],
  ["clearblade:idle-timeout", "idle_timeout", "server", "No MQTT activity for 20 minutes, regardless of keepalive"],
  ["clearblade:read-tcp-i-o-timeout", "keepalive_timeout", "network", "Broker log `read tcp i/o timeout`: no PINGREQ within the keepalive"],
  ["clearblade:duplicate-client-id", "session_taken_over", "server", "Another active connection with the same device ID closed this one"],
  [
    "clearblade:no-pubsub-topic-configured",
    "protocol_error",
    "server",
    "Telemetry published while the registry has no Pub/Sub topic: the connection is closed",
  ],
  ["clearblade:qos-2-not-supported", "protocol_error", "server", "Publishing QoS 2 closes the connection (QoS 0 and 1 only)"],
  ["clearblade:registry-is-not-active", "not_authorized", "server", "The registry is disabled"],
  ["clearblade:device-is-not-active", "not_authorized", "server", "The device is disabled (blocked)"],
  ["clearblade:client-id-rejected", "protocol_error", "server", "CONNACK 2: the client ID is not the full projects/…/devices/… path"],
  ["clearblade:reconnected-too-quickly", "throttled", "server", "ClearBlade rate-limits rapid reconnections"],
  ["clearblade:tls-handshake-reset", "tls_error", "network", "TCP RST during the TLS handshake (TLS below 1.2, carrier DPI)"],
  [
    "clearblade:certificate-name-mismatch",
    "tls_error",
    "client",
    "No certificate subject name matches the host: wrong root CA or legacy URL",
  ],
  ["clearblade:server-maintenance", "server_shutdown", "server", "Scheduled maintenance"],
  ...CLOUD_IOT_STRINGS.map(([slug, r, i, m]) => [`clearblade:${slug}`, r, i, m] as const),
];

// The Linkscope diagnostics agent (lib/agent): Node socket and TLS error codes, MQTT.js errors, device system events.
const AGENT: Row[] = [
  ["agent:CONNECTION_CLOSED", "connection_lost", "network", "The connection closed without an error (the peer or the path closed it)"],
  ["agent:CLOSED_BEFORE_CONNACK", "connection_lost", "network", "The connection closed before the CONNACK arrived"],
  ["agent:CONNACK_TIMEOUT", "connection_lost", "network", "No CONNACK within connectTimeout"],
  ["agent:KEEPALIVE_TIMEOUT", "keepalive_timeout", "network", "MQTT.js got no PINGRESP in time (`Keepalive timeout`)"],
  ["agent:ECONNRESET", "connection_lost", "network", "The TCP connection was reset by the peer or a middlebox"],
  ["agent:ECONNREFUSED", "connection_lost", "network", "Nothing accepted the connection: wrong host or port, or a firewall"],
  ["agent:ECONNABORTED", "connection_lost", "network", "The connection was aborted"],
  ["agent:ETIMEDOUT", "connection_lost", "network", "A socket operation timed out: blocked port or dead path"],
  ["agent:EPIPE", "connection_lost", "network", "Wrote to a socket the peer had closed"],
  ["agent:EHOSTUNREACH", "connection_lost", "network", "No route to the broker host"],
  ["agent:ENETUNREACH", "connection_lost", "network", "The network is unreachable"],
  ["agent:ENETDOWN", "connection_lost", "network", "The network interface is down"],
  ["agent:ENOTFOUND", "connection_lost", "network", "DNS could not resolve the broker host"],
  ["agent:EAI_AGAIN", "connection_lost", "network", "Temporary DNS failure"],
  ["agent:CERT_HAS_EXPIRED", "tls_error", "client", "The server certificate (or the device clock) says expired"],
  ["agent:UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls_error", "client", "The device lacks the CA that signed the server certificate"],
  ["agent:SELF_SIGNED_CERT_IN_CHAIN", "tls_error", "client", "A self-signed certificate in the chain is not trusted"],
  ["agent:DEPTH_ZERO_SELF_SIGNED_CERT", "tls_error", "client", "The server presents a self-signed certificate"],
  ["agent:ERR_TLS_CERT_ALTNAME_INVALID", "tls_error", "client", "The certificate's host name does not match the endpoint"],
  ["agent:CREDENTIALS_UNAVAILABLE", "credential_expired", "client", "The agent had no valid credentials to connect with"],
  ["agent:system_event:network_change", "unknown", "client", "The device reported a network interface change"],
  ["agent:system_event:power_save", "unknown", "client", "The device reported a power-save or suspend event"],
  ["agent:system_event:dhcp_renewal", "unknown", "client", "The device reported a DHCP renewal"],
  ["agent:system_event:other", "unknown", "client", "The device reported another system event"],
];

// §1.6 AWS CRT (aws-c-mqtt 5120–5176, aws-c-io connectivity subset). Names and numbers from the snapshot.
export const CRT_ERRORS: ReadonlyArray<readonly [number, string, Reason, Initiator]> = [
  [5120, "AWS_ERROR_MQTT_INVALID_RESERVED_BITS", "protocol_error", "unknown"],
  [5121, "AWS_ERROR_MQTT_BUFFER_TOO_BIG", "protocol_error", "client"],
  [5122, "AWS_ERROR_MQTT_INVALID_REMAINING_LENGTH", "protocol_error", "unknown"],
  [5123, "AWS_ERROR_MQTT_UNSUPPORTED_PROTOCOL_NAME", "protocol_error", "client"],
  [5124, "AWS_ERROR_MQTT_UNSUPPORTED_PROTOCOL_LEVEL", "protocol_error", "client"],
  [5125, "AWS_ERROR_MQTT_INVALID_CREDENTIALS", "auth_failed", "client"],
  [5126, "AWS_ERROR_MQTT_INVALID_QOS", "protocol_error", "client"],
  [5127, "AWS_ERROR_MQTT_INVALID_PACKET_TYPE", "protocol_error", "unknown"],
  [5128, "AWS_ERROR_MQTT_INVALID_TOPIC", "protocol_error", "client"],
  [5129, "AWS_ERROR_MQTT_TIMEOUT", "connection_lost", "network"],
  [5130, "AWS_ERROR_MQTT_PROTOCOL_ERROR", "protocol_error", "unknown"],
  [5131, "AWS_ERROR_MQTT_NOT_CONNECTED", "unknown", "client"],
  [5132, "AWS_ERROR_MQTT_ALREADY_CONNECTED", "unknown", "client"],
  [5133, "AWS_ERROR_MQTT_BUILT_WITHOUT_WEBSOCKETS", "unknown", "client"],
  [5134, "AWS_ERROR_MQTT_UNEXPECTED_HANGUP", "connection_lost", "server"],
  [5135, "AWS_ERROR_MQTT_CONNECTION_SHUTDOWN", "client_disconnect", "client"],
  [5136, "AWS_ERROR_MQTT_CONNECTION_DESTROYED", "client_disconnect", "client"],
  [5137, "AWS_ERROR_MQTT_CONNECTION_DISCONNECTING", "client_disconnect", "client"],
  [5138, "AWS_ERROR_MQTT_CANCELLED_FOR_CLEAN_SESSION", "unknown", "client"],
  [5139, "AWS_ERROR_MQTT_QUEUE_FULL", "quota_exceeded", "client"],
  [5140, "AWS_ERROR_MQTT5_CLIENT_OPTIONS_VALIDATION", "protocol_error", "client"],
  [5141, "AWS_ERROR_MQTT5_CONNECT_OPTIONS_VALIDATION", "protocol_error", "client"],
  [5142, "AWS_ERROR_MQTT5_DISCONNECT_OPTIONS_VALIDATION", "protocol_error", "client"],
  [5143, "AWS_ERROR_MQTT5_PUBLISH_OPTIONS_VALIDATION", "protocol_error", "client"],
  [5144, "AWS_ERROR_MQTT5_SUBSCRIBE_OPTIONS_VALIDATION", "protocol_error", "client"],
  [5145, "AWS_ERROR_MQTT5_UNSUBSCRIBE_OPTIONS_VALIDATION", "protocol_error", "client"],
  [5146, "AWS_ERROR_MQTT5_USER_PROPERTY_VALIDATION", "protocol_error", "client"],
  [5147, "AWS_ERROR_MQTT5_PACKET_VALIDATION", "protocol_error", "client"],
  [5148, "AWS_ERROR_MQTT5_ENCODE_FAILURE", "protocol_error", "client"],
  [5149, "AWS_ERROR_MQTT5_DECODE_PROTOCOL_ERROR", "protocol_error", "server"],
  [5150, "AWS_ERROR_MQTT5_CONNACK_CONNECTION_REFUSED", "unknown", "server"],
  [5151, "AWS_ERROR_MQTT5_CONNACK_TIMEOUT", "connection_lost", "network"],
  [5152, "AWS_ERROR_MQTT5_PING_RESPONSE_TIMEOUT", "keepalive_timeout", "network"],
  [5153, "AWS_ERROR_MQTT5_USER_REQUESTED_STOP", "client_disconnect", "client"],
  [5154, "AWS_ERROR_MQTT5_DISCONNECT_RECEIVED", "unknown", "server"],
  [5155, "AWS_ERROR_MQTT5_CLIENT_TERMINATED", "client_disconnect", "client"],
  [5156, "AWS_ERROR_MQTT5_OPERATION_FAILED_DUE_TO_OFFLINE_QUEUE_POLICY", "unknown", "client"],
  [5157, "AWS_ERROR_MQTT5_ENCODE_SIZE_UNSUPPORTED_PACKET_TYPE", "unknown", "client"],
  [5158, "AWS_ERROR_MQTT5_OPERATION_PROCESSING_FAILURE", "unknown", "client"],
  [5159, "AWS_ERROR_MQTT5_INVALID_INBOUND_TOPIC_ALIAS", "protocol_error", "server"],
  [5160, "AWS_ERROR_MQTT5_INVALID_OUTBOUND_TOPIC_ALIAS", "protocol_error", "client"],
  [5161, "AWS_ERROR_MQTT5_INVALID_UTF8_STRING", "protocol_error", "client"],
  [5162, "AWS_ERROR_MQTT_CONNECTION_RESET_FOR_ADAPTER_CONNECT", "unknown", "client"],
  [5163, "AWS_ERROR_MQTT_CONNECTION_RESUBSCRIBE_NO_TOPICS", "unknown", "client"],
  [5164, "AWS_ERROR_MQTT_CONNECTION_SUBSCRIBE_FAILURE", "unknown", "server"],
  [5165, "AWS_ERROR_MQTT_ACK_REASON_CODE_FAILURE", "unknown", "server"],
  [5166, "AWS_ERROR_MQTT_PROTOCOL_ADAPTER_FAILING_REASON_CODE", "unknown", "server"],
  [5167, "AWS_ERROR_MQTT_REQUEST_RESPONSE_CLIENT_SHUT_DOWN", "unknown", "client"],
  [5168, "AWS_ERROR_MQTT_REQUEST_RESPONSE_TIMEOUT", "unknown", "network"],
  [5169, "AWS_ERROR_MQTT_REQUEST_RESPONSE_NO_SUBSCRIPTION_CAPACITY", "unknown", "client"],
  [5170, "AWS_ERROR_MQTT_REQUEST_RESPONSE_SUBSCRIBE_FAILURE", "unknown", "client"],
  [5171, "AWS_ERROR_MQTT_REQUEST_RESPONSE_INTERNAL_ERROR", "unknown", "client"],
  [5172, "AWS_ERROR_MQTT_REQUEST_RESPONSE_PUBLISH_FAILURE", "unknown", "client"],
  [5173, "AWS_ERROR_MQTT_REUQEST_RESPONSE_STREAM_ALREADY_ACTIVATED", "unknown", "client"],
  [5174, "AWS_ERROR_MQTT_REQUEST_RESPONSE_MODELED_SERVICE_ERROR", "unknown", "server"],
  [5175, "AWS_ERROR_MQTT_REQUEST_RESPONSE_PAYLOAD_PARSE_ERROR", "unknown", "client"],
  [5176, "AWS_ERROR_MQTT_REQUEST_RESPONSE_INVALID_RESPONSE_PATH", "unknown", "client"],
  [1029, "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE", "tls_error", "network"],
  [1030, "AWS_IO_TLS_ERROR_NOT_NEGOTIATED", "tls_error", "client"],
  [1031, "AWS_IO_TLS_ERROR_WRITE_FAILURE", "tls_error", "network"],
  [1032, "AWS_IO_TLS_ERROR_ALERT_RECEIVED", "tls_error", "server"],
  [1033, "AWS_IO_TLS_CTX_ERROR", "tls_error", "client"],
  [1042, "AWS_ERROR_IO_OPERATION_CANCELLED", "client_disconnect", "client"],
  [1044, "AWS_IO_BROKEN_PIPE", "connection_lost", "network"],
  [1047, "AWS_IO_SOCKET_CONNECTION_REFUSED", "connection_lost", "network"],
  [1048, "AWS_IO_SOCKET_TIMEOUT", "connection_lost", "network"],
  [1049, "AWS_IO_SOCKET_NO_ROUTE_TO_HOST", "connection_lost", "network"],
  [1050, "AWS_IO_SOCKET_NETWORK_DOWN", "connection_lost", "network"],
  [1051, "AWS_IO_SOCKET_CLOSED", "connection_lost", "network"],
  [1052, "AWS_IO_SOCKET_NOT_CONNECTED", "connection_lost", "network"],
  [1057, "AWS_IO_SOCKET_CONNECT_ABORTED", "connection_lost", "network"],
  [1058, "AWS_IO_DNS_QUERY_FAILED", "connection_lost", "network"],
  [1059, "AWS_IO_DNS_INVALID_NAME", "connection_lost", "client"],
  [1060, "AWS_IO_DNS_NO_ADDRESS_FOR_HOST", "connection_lost", "network"],
  [1061, "AWS_IO_DNS_HOST_REMOVED_FROM_CACHE", "connection_lost", "network"],
  [1067, "AWS_IO_TLS_NEGOTIATION_TIMEOUT", "tls_error", "network"],
  [1068, "AWS_IO_TLS_ALERT_NOT_GRACEFUL", "tls_error", "network"],
  [1069, "AWS_IO_MAX_RETRIES_EXCEEDED", "connection_lost", "client"],
  [1070, "AWS_IO_RETRY_PERMISSION_DENIED", "connection_lost", "client"],
  [1173, "AWS_IO_TLS_ERROR_DEFAULT_TRUST_STORE_NOT_FOUND", "tls_error", "client"],
  [1178, "AWS_IO_TLS_ERROR_READ_FAILURE", "tls_error", "network"],
  [1179, "AWS_ERROR_PEM_MALFORMED", "tls_error", "client"],
  [1181, "AWS_IO_TLS_UNKNOWN_ROOT_CERTIFICATE", "tls_error", "client"],
  [1182, "AWS_IO_TLS_NO_ROOT_CERTIFICATE_FOUND", "tls_error", "client"],
  [1183, "AWS_IO_TLS_CERTIFICATE_EXPIRED", "tls_error", "client"],
  [1184, "AWS_IO_TLS_CERTIFICATE_NOT_YET_VALID", "tls_error", "client"],
  [1185, "AWS_IO_TLS_BAD_CERTIFICATE", "tls_error", "client"],
  [1186, "AWS_IO_TLS_PEER_CERTIFICATE_EXPIRED", "tls_error", "server"],
  [1187, "AWS_IO_TLS_BAD_PEER_CERTIFICATE", "tls_error", "server"],
  [1188, "AWS_IO_TLS_PEER_CERTIFICATE_REVOKED", "tls_error", "server"],
  [1189, "AWS_IO_TLS_PEER_CERTIFICATE_UNKNOWN", "tls_error", "server"],
  [1190, "AWS_IO_TLS_INTERNAL_ERROR", "tls_error", "unknown"],
  [1191, "AWS_IO_TLS_CLOSED_GRACEFUL", "connection_lost", "server"],
  [1192, "AWS_IO_TLS_CLOSED_ABORT", "connection_lost", "network"],
  [1193, "AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN", "tls_error", "server"],
  [1194, "AWS_IO_TLS_HOST_NAME_MISMATCH", "tls_error", "client"],
  [1195, "AWS_IO_DNS_QUERY_AGAIN", "connection_lost", "network"],
];
const CRT: Row[] = CRT_ERRORS.map(([n, name, r, i]) => [`crt:${n}`, r, i, name] as const);

const EMQX: Row[] = [
  ...Object.entries(EMQX_DISCONNECT_REASONS).map(([atom, m]) => [`emqx:${atom}`, m.reason, m.initiator, "disconnect reason"] as const),
  ...Object.entries(EMQX_CONNACK_REASONS)
    .filter(([name]) => !(name in EMQX_DISCONNECT_REASONS))
    .map(([name, m]) => [`emqx:${name}`, m.reason, m.initiator, "CONNACK reason_code (refused connect)"] as const),
  ...[...CONNACK_SUCCESS_NAMES].map((name) => [`emqx:${name}`, "connected", "client", "CONNACK reason_code: accepted"] as const),
];

export const VENDOR_CODE_GROUPS: ReadonlyArray<{ namespace: string; title: string; rows: readonly Row[] }> = [
  { namespace: "aws", title: "AWS IoT Core: disconnectReason, connectFailureReason, CloudWatch status", rows: AWS },
  { namespace: "crt", title: "AWS CRT / device SDK errors (decimal number; the name is in the event message)", rows: CRT },
  { namespace: "azure", title: "Azure IoT Hub error codes (Connections log resultType)", rows: AZURE },
  { namespace: "azure-egmqtt", title: "Azure Event Grid MQTT broker disconnectionReason", rows: AZURE_EGMQTT },
  { namespace: "emqx", title: "EMQX disconnect reasons and CONNACK reason codes", rows: EMQX },
  { namespace: "mosquitto", title: "Mosquitto broker log lines (1.x, 2.0.x, 2.1.x)", rows: MOSQUITTO },
  { namespace: "hivemq", title: "HiveMQ event.log", rows: HIVEMQ },
  { namespace: "aedes", title: "aedes error messages", rows: AEDES },
  { namespace: "connack", title: "MQTT 3.1.1 CONNACK return codes", rows: CONNACK },
  { namespace: "mqtt5", title: "MQTT 5 reason codes (CONNACK / DISCONNECT)", rows: MQTT5 },
  { namespace: "libmosquitto", title: "libmosquitto client strings in device logs", rows: LIBMOSQUITTO },
  {
    namespace: "clearblade",
    title: "ClearBlade IoT Core situations and error strings (the strings assumed to mirror Google's)",
    rows: CLEARBLADE,
  },
  { namespace: "gcp-iot", title: "Google Cloud IoT Core lastErrorStatus strings", rows: GCP_IOT },
  { namespace: "agent", title: "Linkscope diagnostics agent errors and system events", rows: AGENT },
];

const BY_CODE: ReadonlyMap<string, VendorCode> = new Map(
  VENDOR_CODE_GROUPS.flatMap((g) => g.rows).map(([code, reason, initiator, meaning]) => [code, { code, reason, initiator, meaning }]),
);

const BY_LOWER_CASE_CODE: ReadonlyMap<string, string> = new Map([...BY_CODE.keys()].map((code) => [code.toLowerCase(), code]));

/**
 * `namespace:name` in the table's spelling when the vendor's name differs from it only in case (a rule or template
 * that lower-cased `MQTT_KEEP_ALIVE_TIMEOUT`); an unknown name is kept as given.
 */
export function toVendorCode(namespace: string, name: string): string {
  const code = `${namespace}:${name}`;
  return BY_CODE.has(code) ? code : (BY_LOWER_CASE_CODE.get(code.toLowerCase()) ?? code);
}

export type ReasonMapping = Pick<VendorCode, "reason" | "initiator">;

export const UNKNOWN_MAPPING = { reason: "unknown", initiator: "unknown" } as const satisfies ReasonMapping;

/**
 * Catch-all codes: the vendor says only "an error", and its text (reason string, log line, description) may say
 * which. Like unknown codes, they defer to the text when it states rate limiting.
 */
const CATCH_ALL_CODES: ReadonlySet<string> = new Set([
  "mqtt5:0x80",
  "mqtt5:0x83",
  "emqx:unspecified_error",
  "emqx:implementation_specific_error",
  "emqx:internal_error",
  "mosquitto:implementation-specific-error",
  "mosquitto:errno",
  "mosquitto:bad-socket-read-write",
  "hivemq:UNSPECIFIED_ERROR",
  "aws:SERVER_ERROR",
  "azure-egmqtt:ServerError",
]);

/** The table's row for a namespaced vendor code, or null for a code Linkscope does not know. */
export function lookupVendorCode(code: string): VendorCode | null {
  return BY_CODE.get(code) ?? null;
}

/**
 * Canonical reason and initiator of an event: THE mapping every adapter and the knowledge base use. A listed code
 * decides; an unlisted or catch-all code falls back to what the vendor text says (rate limiting stated in words:
 * `reason: Message rate too high`, `disconnected: quota exceeded.`), where the code's own name counts as text.
 * Unknown codes are kept by the adapters and map to `unknown`.
 */
export function mapVendorCode(code: string | null, ...texts: ReadonlyArray<string | null | undefined>): ReasonMapping {
  const entry = code === null ? null : BY_CODE.get(code);
  if (entry && entry.reason !== "unknown" && !CATCH_ALL_CODES.has(entry.code)) return { reason: entry.reason, initiator: entry.initiator };
  const name = code === null ? null : code.slice(code.indexOf(":") + 1);
  for (const text of [...texts, name]) {
    const limited = recogniseRateLimiting(text);
    if (limited) return { reason: limited, initiator: "server" };
  }
  return entry ? { reason: entry.reason, initiator: entry.initiator } : UNKNOWN_MAPPING;
}

export function listVendorCodes(): VendorCode[] {
  return [...BY_CODE.values()];
}

/** Lower-case kebab slug of a vendor message, used for string-keyed namespaces (mosquitto, aedes, libmosquitto, …). */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120);
}

const MQTT5_BY_NAME: ReadonlyMap<string, string> = new Map(
  MQTT5.filter(([code]) => code >= "mqtt5:0x80").flatMap(([code, , , name]) =>
    name.split(" / ").map((part) => [part.toLowerCase(), code] as const),
  ),
);

/** `mqtt5:0x97` for "Quota exceeded": the spec names libmosquitto and other clients print (case-insensitive). */
export function findMqtt5CodeByName(name: string): string | null {
  return MQTT5_BY_NAME.get(name.trim().toLowerCase()) ?? null;
}

const CRT_BY_NAME: ReadonlyMap<string, number> = new Map(CRT_ERRORS.map(([n, name]) => [name, n]));
const CRT_BY_NUMBER: ReadonlyMap<number, string> = new Map(CRT_ERRORS.map(([n, name]) => [n, name]));

export function findCrtNumber(name: string): number | null {
  return CRT_BY_NAME.get(name) ?? null;
}

export function findCrtName(code: number): string | null {
  return CRT_BY_NUMBER.get(code) ?? null;
}
