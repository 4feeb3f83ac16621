import { buildKnowledgeEntries } from "./canonical-codes.ts";
import { step } from "./playbook.ts";
import type { KnowledgeEntry, KnowledgeRow } from "./types.ts";

type Row = [key: string, meaning: string, causes?: string[], related?: string[]];

/** Azure's meanings start with the error name ("DeviceConnectionClosedRemotely: …"); that is the entry's name. */
const nameFromMeaning = (key: string, meaning: string) =>
  /^[A-Z][A-Za-z]+:/.test(meaning) ? `${key} ${meaning.slice(0, meaning.indexOf(":"))}` : key;

const toRows = (rows: readonly Row[], extra: Record<string, Partial<KnowledgeRow>> = {}): KnowledgeRow[] =>
  rows.map(([key, meaning, causes, related]) => ({ key, name: nameFromMeaning(key, meaning), meaning, causes, related, ...extra[key] }));

/** AWS IoT Core lifecycle `disconnectReason` values and the connect_failed status (lifecycle-formats.md §1.4). */
const AWS_ROWS: readonly Row[] = [
  [
    "AUTH_ERROR",
    "Authentication or authorization failed",
    [
      "Certificate revoked or inactive",
      "Policy no longer allows iot:Connect or the attempted action",
      "Custom authorizer denied the client",
    ],
    ["mqtt5:0x87", "aws:AUTHORIZATION_FAILED"],
  ],
  ["CLIENT_INITIATED_DISCONNECT", "The client sent MQTT DISCONNECT or a WebSocket Close frame"],
  [
    "CLIENT_ERROR",
    "The client broke a protocol rule or limit (second CONNECT, payload over the size limit)",
    ["Firmware bug", "Oversized messages", "Invalid packets"],
  ],
  [
    "CONNECTION_LOST",
    "The connection was cut off (high latency, internet lost); also an MQTT 5 client closing without DISCONNECT",
    undefined,
    ["crt:5134", "emqx:tcp_closed"],
  ],
  [
    "DUPLICATE_CLIENTID",
    "Another connection used the same client ID; the existing connection was dropped",
    ["Two devices share one client ID", "A device reconnects before the old session is gone", "Several processes on one device"],
    ["mqtt5:0x8E", "emqx:takenover", "azure:400027"],
  ],
  [
    "FORBIDDEN_ACCESS",
    "The client is not allowed to connect (for example a denied IP address)",
    ["IP deny rule", "VPC endpoint policy", "Domain configuration"],
  ],
  ["MQTT_KEEP_ALIVE_TIMEOUT", "No traffic for 1.5 × the client's keepalive", undefined, ["mqtt5:0x8D", "emqx:keepalive_timeout"]],
  ["SERVER_ERROR", "Unexpected server issue"],
  ["SERVER_INITIATED_DISCONNECT", "The server disconnected the client on purpose for operational reasons (maintenance)"],
  ["API_INITIATED_DISCONNECT", "The client was disconnected by the DeleteConnection API"],
  [
    "THROTTLED",
    "A throttling limit was exceeded",
    ["Too many publishes, connects or subscriptions per second for the account or connection"],
    ["mqtt5:0x96", "mqtt5:0x9F"],
  ],
  ["WEBSOCKET_TTL_EXPIRATION", "A WebSocket connection outlived its time-to-live"],
  ["CUSTOMAUTH_TTL_EXPIRATION", "The connection outlived the custom authorizer's disconnectAfterInSeconds"],
  ["UNKNOWN", "AWS reported no specific reason (SDK enum value)"],
  ["NONE", "No disconnect reason recorded (SDK enum value)"],
  [
    "AUTHORIZATION_FAILED",
    "connect_failed: the client is not authorized to connect, or may not publish to its LWT topic",
    ["Policy lacks iot:Connect for this client ID", "LWT topic not allowed by the policy", "Certificate inactive"],
    ["aws:AUTH_ERROR", "mqtt5:0x87"],
  ],
  [
    "AUTHORIZATION_FAILURE",
    "CloudWatch failed Connect: the client is not authorized to connect (the log's spelling of AUTHORIZATION_FAILED; the entry is undocumented)",
    ["Policy lacks iot:Connect for this client ID", "Certificate inactive or revoked", "Custom authorizer denied the client"],
    ["aws:AUTHORIZATION_FAILED", "aws:AUTH_ERROR"],
  ],
  [
    "Failure",
    "CloudWatch AWSIotLogsV2 Connect entry with status Failure; its reason field is undocumented, so the entry's details are the evidence",
    ["aws:AUTHORIZATION_FAILED"],
  ],
];

export const AWS_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "aws",
  "AWS IoT Core developer guide, Lifecycle events (life-cycle-events.html)",
  toRows(AWS_ROWS, {
    CLIENT_INITIATED_DISCONNECT: { expected: true },
    CUSTOMAUTH_TTL_EXPIRATION: { expected: true },
  }),
);

/** Azure IoT Hub error codes relevant to connections (troubleshoot-error-codes.md; lifecycle-formats.md §2.4). */
const AZURE_ROWS: readonly Row[] = [
  [
    "400027",
    "ConnectionForcefullyClosedOnNewConnection: another client opened a connection with the same identity, so the old one was closed",
    ["Duplicate device identity in use (two processes or devices)", "A fast reconnect"],
    ["azure:409002", "mqtt5:0x8E"],
  ],
  ["400029", "ConnectionForcefullyClosedOnFaultInjection: connections closed during a service upgrade", ["Azure maintenance"]],
  ["400030", "ConnectionRejectedOnFaultInjection: new connections rejected during an upgrade", ["Azure maintenance"]],
  ["401000", "GenericUnauthorized: the request is not authorized", ["Bad credentials"]],
  ["401002", "IotHubUnauthorizedAccess: not authorized to access the hub", ["Access policy or RBAC role"]],
  [
    "401003",
    "IoTHubUnauthorized: authentication or authorization failed; usually an expired SAS token in the normal renewal cycle",
    [
      "Expired SAS token (normal renewal when followed by a quick reconnect)",
      "Expired or unregistered X.509 certificate or thumbprint",
      "Wrong key",
      "Clock drift over 5 minutes",
    ],
    ["azure:404104", "azure:409002"],
  ],
  ["403002", "IotHubQuotaExceeded: the daily message quota is used up", ["Hub tier too small"]],
  ["403004", "DeviceMaximumQueueDepthExceeded: too many cloud-to-device messages queued", ["The device does not complete C2D messages"]],
  [
    "403006",
    "DeviceMaximumActiveFileUploadLimitExceeded: more than 10 concurrent file uploads",
    ["The device never notifies upload completion"],
  ],
  ["403012", "DeviceDisabled: the device is disabled in the registry", ["An admin disabled the device"]],
  ["404001", "DeviceNotFound: the device is not registered", ["Wrong device ID", "The device was deleted"]],
  ["404103", "DeviceNotOnline: a direct-method target is not online", ["The device is offline or has no method handler"]],
  [
    "404104",
    "DeviceConnectionClosedRemotely: the device connection was closed and IoT Hub does not know why",
    [
      "SAS token renewal (for example every 65 minutes)",
      "Network loss longer than the keepalive",
      "TCP reset without MQTT DISCONNECT",
      "Application crash",
      "Many devices at once: an IoT Hub-side transient issue",
    ],
    ["azure:401003", "azure:409002"],
  ],
  [
    "409002",
    "LinkCreationConflict: more than one connection for a client; the existing one was closed. Usually a side effect of an earlier error",
    ["After a 404104 the device reconnects before IoT Hub notices the old link is gone", "Faulty connect-when-already-connected logic"],
    ["azure:404104", "azure:400027"],
  ],
  ["412002", "DeviceMessageLockLost: a C2D message was completed after its 1-minute lock expired"],
  ["429001", "ThrottlingException: throttling limit exceeded for too long"],
  ["429002", "ThrottleBacklogLimitExceeded: the throttled backlog is full"],
  ["429003", "ThrottlingBacklogTimeout: backlogged requests timed out"],
  ["429005", "DeviceThrottlingLimitExceeded: per-device throttle exceeded"],
  ["500001", "ServerError: IoT Hub ran into a server-side issue (transient)"],
  ["500008", "GenericTimeout: IoT Hub could not complete the connection request in time"],
  ["503001", "ServiceUnavailable"],
  ["503003", "PartitionNotFound: internal and likely transient"],
  ["503005", "ServerBusy"],
  ["503008", "ReceiveLinkOpensThrottled: too many link opens or reconnects"],
  ["504101", "GatewayTimeout: direct-method outcome unknown"],
  // Device-side connection status reasons of the Azure IoT C SDK (IOTHUB_CLIENT_CONNECTION_STATUS_REASON).
  [
    "IOTHUB_CLIENT_CONNECTION_EXPIRED_SAS_TOKEN",
    "Device SDK: the SAS token expired (the SDK renews it and reconnects)",
    undefined,
    ["azure:401003"],
  ],
  ["IOTHUB_CLIENT_CONNECTION_DEVICE_DISABLED", "Device SDK: the device is disabled in the registry", undefined, ["azure:403012"]],
  ["IOTHUB_CLIENT_CONNECTION_BAD_CREDENTIAL", "Device SDK: the credentials were rejected", undefined, ["azure:401003"]],
  [
    "IOTHUB_CLIENT_CONNECTION_RETRY_EXPIRED",
    "Device SDK: the retry policy gave up; the client stays offline until the application reconnects",
  ],
  [
    "IOTHUB_CLIENT_CONNECTION_NO_NETWORK",
    "Device SDK: no network (also reported when a connected device is disabled, SDK issue #2300)",
    undefined,
    ["azure:404104"],
  ],
  [
    "IOTHUB_CLIENT_CONNECTION_COMMUNICATION_ERROR",
    "Device SDK: communication error (the .NET SDK reports 400027 takeovers this way too)",
    undefined,
    ["azure:400027"],
  ],
  ["IOTHUB_CLIENT_CONNECTION_OK", "Device SDK: connected and authenticated"],
  ["IOTHUB_CLIENT_CONNECTION_NO_PING_RESPONSE", "Device SDK: no PINGRESP from IoT Hub in time (newer SDK versions)"],
];

export const AZURE_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "azure",
  "Azure IoT Hub troubleshoot-error-codes.md and iot-hub-troubleshoot-connectivity.md",
  toRows(AZURE_ROWS, {
    "401003": {
      steps: [
        step(
          "If it is followed by 404104 and a reconnect within 60 s, it is the SDK renewing its SAS token: expected",
          "reconnects-quickly",
        ),
      ],
    },
    "404104": {
      steps: [step("If it follows 401003 and the device reconnects within 60 s, it is SAS token renewal: expected", "reconnects-quickly")],
    },
    "409002": {
      steps: [step("Look for the first error in the chain (usually 404104); reconnect only when actually disconnected", "manual")],
    },
    IOTHUB_CLIENT_CONNECTION_OK: { expected: true },
    IOTHUB_CLIENT_CONNECTION_RETRY_EXPIRED: {
      steps: [step("Use unlimited retries with backoff so the client never gives up", "reconnect-backoff")],
    },
  }),
);

/** Azure Event Grid MQTT broker `disconnectionReason` values (mqtt-client-life-cycle-events.md). */
const EVENT_GRID_ROWS: readonly Row[] = [
  ["ClientAuthenticationError", "Authentication failed: certificate expired, client disabled, or client configuration changed"],
  ["ClientAuthorizationError", "Authorization failed: topic spaces, permission bindings or client groups changed"],
  ["ClientError", "Bad request, or an unsupported feature was used"],
  ["ClientInitiatedDisconnect", "Graceful DISCONNECT or a WebSocket close frame"],
  ["ConnectionLost", "The connection was lost"],
  ["IpForbidden", "Blocked by the IP filter or private-link configuration"],
  ["QuotaExceeded", "Throttling limits exceeded"],
  ["ServerError", "Unexpected server error"],
  ["ServerInitiatedDisconnect", "Graceful server disconnect for operational reasons"],
  ["SessionOverflow", "The queue of unacknowledged QoS 1 messages hit its limit"],
  ["SessionTakenOver", "A reconnect with the same authentication name ended the previous connection"],
];

export const EVENT_GRID_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "azure-egmqtt",
  "Azure Event Grid mqtt-client-life-cycle-events.md",
  toRows(EVENT_GRID_ROWS, { ClientInitiatedDisconnect: { expected: true } }),
);

type CrtRow = [num: number, name: string, message: string, note?: string];

/** aws-c-mqtt `enum aws_mqtt_error` (5120–5176) and the connectivity subset of aws-c-io (lifecycle-formats.md §1.6). */
const CRT_ROWS: readonly CrtRow[] = [
  [5120, "AWS_ERROR_MQTT_INVALID_RESERVED_BITS", "Bits marked as reserved in the MQTT spec were incorrectly set.", "Protocol corruption"],
  [5121, "AWS_ERROR_MQTT_BUFFER_TOO_BIG", "Encoded UTF-8 buffers may be no bigger than 65535 bytes.", "Topic or client ID too long"],
  [5122, "AWS_ERROR_MQTT_INVALID_REMAINING_LENGTH", "Encoded remaining length field is malformed."],
  [5123, "AWS_ERROR_MQTT_UNSUPPORTED_PROTOCOL_NAME", "Protocol name specified is unsupported."],
  [5124, "AWS_ERROR_MQTT_UNSUPPORTED_PROTOCOL_LEVEL", "Protocol level specified is unsupported."],
  [
    5125,
    "AWS_ERROR_MQTT_INVALID_CREDENTIALS",
    "Connect packet may not include password when no username is present.",
    "Configuration error",
  ],
  [5126, "AWS_ERROR_MQTT_INVALID_QOS", "Both bits in a QoS field must not be set."],
  [5127, "AWS_ERROR_MQTT_INVALID_PACKET_TYPE", "Packet type in packet fixed header is invalid."],
  [5128, "AWS_ERROR_MQTT_INVALID_TOPIC", "Topic or filter is invalid."],
  [
    5129,
    "AWS_ERROR_MQTT_TIMEOUT",
    "Time limit between request and response has been exceeded.",
    "A CONNECT, SUBSCRIBE, PUBACK or ping got no response: network or broker health",
  ],
  [5130, "AWS_ERROR_MQTT_PROTOCOL_ERROR", "Protocol error occurred."],
  [
    5131,
    "AWS_ERROR_MQTT_NOT_CONNECTED",
    "The requested operation is invalid as the connection is not open.",
    "The application published while offline",
  ],
  [5132, "AWS_ERROR_MQTT_ALREADY_CONNECTED", "The requested operation is invalid as the connection is already open."],
  [5133, "AWS_ERROR_MQTT_BUILT_WITHOUT_WEBSOCKETS", "Library built without MQTT_WITH_WEBSOCKETS option."],
  [
    5134,
    "AWS_ERROR_MQTT_UNEXPECTED_HANGUP",
    "The connection was closed unexpectedly.",
    "The most common one: the server closed the socket (policy denial, duplicate client ID, throttling, or a network drop). Correlate with the lifecycle disconnectReason",
  ],
  [5135, "AWS_ERROR_MQTT_CONNECTION_SHUTDOWN", "MQTT operation interrupted by connection shutdown."],
  [5136, "AWS_ERROR_MQTT_CONNECTION_DESTROYED", "Connection has started destroying process, all uncompleted requests will fail."],
  [
    5137,
    "AWS_ERROR_MQTT_CONNECTION_DISCONNECTING",
    "Connection is disconnecting, it's not safe to do this operation until the connection finishes shutdown.",
  ],
  [
    5138,
    "AWS_ERROR_MQTT_CANCELLED_FOR_CLEAN_SESSION",
    "Old requests from the previous session are cancelled, and offline request will not be accept.",
  ],
  [5139, "AWS_ERROR_MQTT_QUEUE_FULL", "MQTT request queue is full."],
  [5140, "AWS_ERROR_MQTT5_CLIENT_OPTIONS_VALIDATION", "Invalid mqtt5 client options value."],
  [5141, "AWS_ERROR_MQTT5_CONNECT_OPTIONS_VALIDATION", "Invalid mqtt5 connect packet options value."],
  [5142, "AWS_ERROR_MQTT5_DISCONNECT_OPTIONS_VALIDATION", "Invalid mqtt5 disconnect packet options value."],
  [5143, "AWS_ERROR_MQTT5_PUBLISH_OPTIONS_VALIDATION", "Invalid mqtt5 publish packet options value."],
  [5144, "AWS_ERROR_MQTT5_SUBSCRIBE_OPTIONS_VALIDATION", "Invalid mqtt5 subscribe packet options value."],
  [5145, "AWS_ERROR_MQTT5_UNSUBSCRIBE_OPTIONS_VALIDATION", "Invalid mqtt5 unsubscribe packet options value."],
  [5146, "AWS_ERROR_MQTT5_USER_PROPERTY_VALIDATION", "Invalid mqtt5 user property value."],
  [5147, "AWS_ERROR_MQTT5_PACKET_VALIDATION", "General mqtt5 packet validation error"],
  [5148, "AWS_ERROR_MQTT5_ENCODE_FAILURE", "Error occurred while encoding an outgoing mqtt5 packet"],
  [5149, "AWS_ERROR_MQTT5_DECODE_PROTOCOL_ERROR", "Mqtt5 decoder received an invalid packet that broke mqtt5 protocol rules"],
  [
    5150,
    "AWS_ERROR_MQTT5_CONNACK_CONNECTION_REFUSED",
    "Remote endpoint rejected the CONNECT attempt by returning an unsuccessful CONNACK",
    "Read the CONNACK reason code",
  ],
  [
    5151,
    "AWS_ERROR_MQTT5_CONNACK_TIMEOUT",
    "Remote endpoint did not respond to a CONNECT request before timeout exceeded",
    "TLS passed but the MQTT handshake stalled",
  ],
  [
    5152,
    "AWS_ERROR_MQTT5_PING_RESPONSE_TIMEOUT",
    "Remote endpoint did not respond to a PINGREQ before timeout exceeded",
    "Half-open connection",
  ],
  [5153, "AWS_ERROR_MQTT5_USER_REQUESTED_STOP", "Mqtt5 client connection interrupted by user request."],
  [
    5154,
    "AWS_ERROR_MQTT5_DISCONNECT_RECEIVED",
    "Mqtt5 client connection interrupted by server DISCONNECT.",
    "Read the DISCONNECT reason code",
  ],
  [5155, "AWS_ERROR_MQTT5_CLIENT_TERMINATED", "Mqtt5 client terminated by user request."],
  [
    5156,
    "AWS_ERROR_MQTT5_OPERATION_FAILED_DUE_TO_OFFLINE_QUEUE_POLICY",
    "Mqtt5 operation failed due to a disconnection event in conjunction with the client's offline queue retention policy.",
  ],
  [5157, "AWS_ERROR_MQTT5_ENCODE_SIZE_UNSUPPORTED_PACKET_TYPE", "Unsupported packet type for encode size calculation"],
  [5158, "AWS_ERROR_MQTT5_OPERATION_PROCESSING_FAILURE", "Error while processing mqtt5 operational state"],
  [5159, "AWS_ERROR_MQTT5_INVALID_INBOUND_TOPIC_ALIAS", "Incoming publish contained an invalid (too large or unknown) topic alias"],
  [5160, "AWS_ERROR_MQTT5_INVALID_OUTBOUND_TOPIC_ALIAS", "Outgoing publish contained an invalid (too large or unknown) topic alias"],
  [5161, "AWS_ERROR_MQTT5_INVALID_UTF8_STRING", "Outbound packet contains invalid utf-8 data in a field that must be utf-8"],
  [
    5162,
    "AWS_ERROR_MQTT_CONNECTION_RESET_FOR_ADAPTER_CONNECT",
    "Mqtt5 connection was reset by the Mqtt3 adapter in order to guarantee correct connection configuration",
  ],
  [5163, "AWS_ERROR_MQTT_CONNECTION_RESUBSCRIBE_NO_TOPICS", "Resubscribe was called when there were no subscriptions"],
  [5164, "AWS_ERROR_MQTT_CONNECTION_SUBSCRIBE_FAILURE", "MQTT subscribe operation failed"],
  [5165, "AWS_ERROR_MQTT_ACK_REASON_CODE_FAILURE", "MQTT ack packet received with a failing reason code"],
  [5166, "AWS_ERROR_MQTT_PROTOCOL_ADAPTER_FAILING_REASON_CODE", "MQTT operation returned a failing reason code"],
  [5167, "AWS_ERROR_MQTT_REQUEST_RESPONSE_CLIENT_SHUT_DOWN", "Request operation failed due to client shut down"],
  [5168, "AWS_ERROR_MQTT_REQUEST_RESPONSE_TIMEOUT", "Request operation failed due to timeout"],
  [
    5169,
    "AWS_ERROR_MQTT_REQUEST_RESPONSE_NO_SUBSCRIPTION_CAPACITY",
    "Streaming request operation failed because there was no space for the subscription",
  ],
  [
    5170,
    "AWS_ERROR_MQTT_REQUEST_RESPONSE_SUBSCRIBE_FAILURE",
    "Request operation failed because the associated subscribe failed synchronously",
  ],
  [
    5171,
    "AWS_ERROR_MQTT_REQUEST_RESPONSE_INTERNAL_ERROR",
    "Request operation failed due to a non-specific internal error within the client.",
  ],
  [
    5172,
    "AWS_ERROR_MQTT_REQUEST_RESPONSE_PUBLISH_FAILURE",
    "Request-response operation failed because the associated publish failed synchronously.",
  ],
  [
    5173,
    "AWS_ERROR_MQTT_REUQEST_RESPONSE_STREAM_ALREADY_ACTIVATED",
    "Streaming operation activation failed because the operation had already been activated.",
  ],
  [5174, "AWS_ERROR_MQTT_REQUEST_RESPONSE_MODELED_SERVICE_ERROR", "Request-response operation failed with a modeled service error."],
  [
    5175,
    "AWS_ERROR_MQTT_REQUEST_RESPONSE_PAYLOAD_PARSE_ERROR",
    "Request-response operation failed due to an inability to parse the payload.",
  ],
  [
    5176,
    "AWS_ERROR_MQTT_REQUEST_RESPONSE_INVALID_RESPONSE_PATH",
    "Request-response operation failed due to arrival on an unknown response path",
  ],
  [
    1029,
    "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE",
    "TLS (SSL) negotiation failed",
    "Wrong CA, clock skew, certificate/key mismatch, SNI or ALPN issues",
  ],
  [1030, "AWS_IO_TLS_ERROR_NOT_NEGOTIATED", "Attempt to read/write, but TLS (SSL) hasn't been negotiated"],
  [1031, "AWS_IO_TLS_ERROR_WRITE_FAILURE", "Failed to write to TLS handler"],
  [
    1032,
    "AWS_IO_TLS_ERROR_ALERT_RECEIVED",
    "Fatal TLS Alert was received",
    "The server rejected the handshake (unknown or revoked certificate)",
  ],
  [1033, "AWS_IO_TLS_CTX_ERROR", "Failed to create tls context", "Bad certificate or key files on the device"],
  [1042, "AWS_ERROR_IO_OPERATION_CANCELLED", "Operation cancelled before it could complete"],
  [1044, "AWS_IO_BROKEN_PIPE", "Attempt to read or write to io handle that has already been closed."],
  [1047, "AWS_IO_SOCKET_CONNECTION_REFUSED", "socket connection refused.", "Wrong port, or a firewall reset"],
  [1048, "AWS_IO_SOCKET_TIMEOUT", "socket operation timed out.", "Blocked port 8883, captive network"],
  [1049, "AWS_IO_SOCKET_NO_ROUTE_TO_HOST", "socket connect failure, no route to host."],
  [1050, "AWS_IO_SOCKET_NETWORK_DOWN", "network is down."],
  [1051, "AWS_IO_SOCKET_CLOSED", "socket is closed."],
  [1052, "AWS_IO_SOCKET_NOT_CONNECTED", "socket not connected."],
  [1057, "AWS_IO_SOCKET_CONNECT_ABORTED", "Incoming connection was aborted."],
  [1058, "AWS_IO_DNS_QUERY_FAILED", "A nonrecoverable failure when query to dns occurred."],
  [1059, "AWS_IO_DNS_INVALID_NAME", "Host name was invalid for dns resolution.", "Wrong endpoint"],
  [1060, "AWS_IO_DNS_NO_ADDRESS_FOR_HOST", "No address was found for the supplied host name."],
  [1061, "AWS_IO_DNS_HOST_REMOVED_FROM_CACHE", "The entries for host name were removed from the local dns cache."],
  [1067, "AWS_IO_TLS_NEGOTIATION_TIMEOUT", "Channel shutdown due to tls negotiation timeout"],
  [1068, "AWS_IO_TLS_ALERT_NOT_GRACEFUL", "Channel shutdown due to tls alert. The alert was not for a graceful shutdown."],
  [1069, "AWS_IO_MAX_RETRIES_EXCEEDED", "Retry cannot be attempted because the maximum number of retries has been exceeded."],
  [1070, "AWS_IO_RETRY_PERMISSION_DENIED", "Retry cannot be attempted because the retry strategy has prevented the operation."],
  [1173, "AWS_IO_TLS_ERROR_DEFAULT_TRUST_STORE_NOT_FOUND", "Default TLS trust store not found on this system."],
  [1178, "AWS_IO_TLS_ERROR_READ_FAILURE", "Failure during TLS read."],
  [1179, "AWS_ERROR_PEM_MALFORMED", "Malformed PEM object encountered."],
  [1181, "AWS_IO_TLS_UNKNOWN_ROOT_CERTIFICATE", "Channel shutdown due to tls unknown root certificate."],
  [1182, "AWS_IO_TLS_NO_ROOT_CERTIFICATE_FOUND", "Channel shutdown due to tls no root certificate found."],
  [1183, "AWS_IO_TLS_CERTIFICATE_EXPIRED", "Channel shutdown due to tls certificate expired."],
  [1184, "AWS_IO_TLS_CERTIFICATE_NOT_YET_VALID", "Channel shutdown due to tls certificate not yet valid.", "Device clock is behind"],
  [1185, "AWS_IO_TLS_BAD_CERTIFICATE", "Channel shutdown due to tls certificate is malformed or not correctly formatted."],
  [1186, "AWS_IO_TLS_PEER_CERTIFICATE_EXPIRED", "Channel shutdown due to peer tls certificate is malformed or not correctly formatted."],
  [1187, "AWS_IO_TLS_BAD_PEER_CERTIFICATE", "Channel shutdown due to peer tls certificate is malformed or not correctly formatted."],
  [1188, "AWS_IO_TLS_PEER_CERTIFICATE_REVOKED", "Channel shutdown due to peer tls certificate has been revoked."],
  [1189, "AWS_IO_TLS_PEER_CERTIFICATE_UNKNOWN", "Channel shutdown due to peer tls certificate is unknown."],
  [1190, "AWS_IO_TLS_INTERNAL_ERROR", "Channel shutdown due to internal SSL error."],
  [1191, "AWS_IO_TLS_CLOSED_GRACEFUL", "Channel shutdown due to connection closed gracefully."],
  [1192, "AWS_IO_TLS_CLOSED_ABORT", "Channel shutdown due to connection closed due to an error."],
  [1193, "AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN", "Channel shutdown due to invalid certificate chain."],
  [
    1194,
    "AWS_IO_TLS_HOST_NAME_MISMATCH",
    "Channel shutdown due to certificate's host name does not match the endpoint host name.",
    "Wrong endpoint, or an ATS vs legacy endpoint mix-up",
  ],
  [1195, "AWS_IO_DNS_QUERY_AGAIN", "A temporary failure in name resolution occurred, please try again."],
];

export const CRT_ENTRIES: KnowledgeEntry[] = buildKnowledgeEntries(
  "crt",
  "awslabs/aws-c-mqtt include/aws/mqtt/mqtt.h and awslabs/aws-c-io include/aws/io/io.h (error numbers = package id × 1024 + index)",
  CRT_ROWS.map(([num, name, message, note]): KnowledgeRow => ({
    key: String(num),
    name,
    meaning: note ? `${message} ${note}.` : message,
    related: num === 5134 ? ["aws:CONNECTION_LOST", "aws:DUPLICATE_CLIENTID", "aws:THROTTLED", "aws:AUTH_ERROR"] : [],
  })),
);

export const CRT_CODE_NUMBERS: readonly number[] = CRT_ROWS.map(([num]) => num);
