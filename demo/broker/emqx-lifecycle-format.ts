/**
 * EMQX 5.x lifecycle message formats, built from facts about one MQTT connection.
 *
 * - `$SYS/brokers/<node>/clients/<clientid>/connected` and `.../disconnected` follow `emqx_sys.erl`
 *   (EMQX 5.x field set, including `conn_props`, `receive_maximum` and `client_attrs`).
 * - EMQX has no `$SYS` topic for refused connects. We publish the rule-engine `client_connack` event payload
 *   (`emqx_rule_events.erl`, event "client.connack") on `$SYS/brokers/<node>/clients/<clientid>/connack` so a
 *   refused CONNECT with its reason reaches the same subscription as connects and disconnects.
 * - The `<clientid>` topic segment is `encodeURIComponent(clientid)`: `#` and `+` are illegal in topic names and
 *   `/` would add levels. The payload's `clientid` is the raw id and is the truth; the segment is only routing.
 */

export const DEFAULT_NODE_NAME = "linkscope@127.0.0.1";

/** Client-id topic segments longer than this are replaced by a digest so the topic stays far below MQTT's 64 KiB limit. */
export const MAX_CLIENT_ID_SEGMENT_LENGTH = 4096;

/** aedes never expires a persistent (clean=false) session; EMQX reports "never" as 0xFFFFFFFF s, held in ms. */
export const PERSISTENT_SESSION_EXPIRY_MS = 0xffff_ffff * 1000;

/** aedes has no outbound in-flight window, so the MQTT default (and EMQX's upper limit) applies. */
export const RECEIVE_MAXIMUM = 65_535;

export type LifecycleEventName = "connected" | "disconnected" | "connack";

/**
 * Disconnect reasons as EMQX reports them (`emqx_sys:reason/1` reduces every exit reason to an atom).
 * Socket errors appear as the lower-case POSIX atom (e.g. `econnreset`), which is why this stays open-ended.
 */
export type EmqxDisconnectReason =
  | "normal"
  | "tcp_closed"
  | "keepalive_timeout"
  | "takenover"
  | "discarded"
  | "kicked"
  | "not_authorized"
  | "protocol_error"
  | "topic_name_invalid"
  | "internal_error"
  | "message_rate_too_high"
  | "server_shutting_down"
  | `e${string}`;

/** `emqx_reason_codes:name/1` of the MQTT 5 code EMQX uses internally for each refusal (even for 3.1.1 clients). */
export type EmqxConnackReasonCode =
  | "unsupported_protocol_version"
  | "client_identifier_not_valid"
  | "server_unavailable"
  | "bad_username_or_password"
  | "not_authorized"
  | "unspecified_error";

/** Everything known about one connection attempt; times are epoch milliseconds. */
export interface ConnectionFacts {
  clientId: string;
  username: string | null;
  peerHost: string;
  peerPort: number;
  sockHost: string;
  sockPort: number;
  protoName: string;
  protoVer: number;
  keepalive: number;
  cleanStart: boolean;
  connectedAt: number;
}

export interface EmqxConnectedPayload {
  clientid: string;
  username: string | null;
  ipaddress: string;
  sockport: number;
  protocol: "mqtt";
  proto_name: string;
  proto_ver: number;
  keepalive: number;
  clean_start: boolean;
  expiry_interval: number;
  receive_maximum: number;
  connected_at: number;
  ts: number;
  conn_props: Record<string, never>;
  client_attrs: Record<string, never>;
}

export interface EmqxDisconnectedPayload {
  clientid: string;
  username: string | null;
  ipaddress: string;
  sockport: number;
  protocol: "mqtt";
  proto_name: string;
  proto_ver: number;
  connected_at: number;
  reason: EmqxDisconnectReason;
  disconnected_at: number;
  ts: number;
  disconn_props: Record<string, never>;
  client_attrs: Record<string, never>;
}

export interface EmqxConnackPayload {
  reason_code: EmqxConnackReasonCode;
  clientid: string;
  username: string | null;
  peername: string;
  sockname: string;
  proto_name: string;
  proto_ver: number;
  keepalive: number;
  clean_start: boolean;
  expiry_interval: number;
  connected_at: number;
  conn_props: Record<string, never>;
  event: "client.connack";
  timestamp: number;
  node: string;
}

export type LifecycleMessage =
  | { event: "connected"; topic: string; payload: EmqxConnectedPayload }
  | { event: "disconnected"; topic: string; payload: EmqxDisconnectedPayload }
  | { event: "connack"; topic: string; payload: EmqxConnackPayload };

export function encodeClientIdSegment(clientId: string, digest: (value: string) => string): string {
  const encoded = encodeURIComponent(clientId);
  if (encoded.length <= MAX_CLIENT_ID_SEGMENT_LENGTH) return encoded;
  // encodeURIComponent never emits "%" followed by a non-hex letter, so this cannot collide with a real id.
  return `%sha256-${digest(clientId)}`;
}

export function buildLifecycleTopic(nodeName: string, clientIdSegment: string, event: LifecycleEventName): string {
  return `$SYS/brokers/${nodeName}/clients/${clientIdSegment}/${event}`;
}

/** IPv4-mapped IPv6 addresses are shown as plain IPv4, as `inet:ntoa` does for an IPv4 peer. */
export function normalizeIpAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice("::ffff:".length) : address;
}

function formatPeer(host: string, port: number): string {
  return `${normalizeIpAddress(host)}:${port}`;
}

function expiryIntervalFor(cleanStart: boolean): number {
  return cleanStart ? 0 : PERSISTENT_SESSION_EXPIRY_MS;
}

export function buildConnectedPayload(facts: ConnectionFacts, ts: number): EmqxConnectedPayload {
  return {
    clientid: facts.clientId,
    username: facts.username,
    ipaddress: normalizeIpAddress(facts.peerHost),
    sockport: facts.sockPort,
    protocol: "mqtt",
    proto_name: facts.protoName,
    proto_ver: facts.protoVer,
    keepalive: facts.keepalive,
    clean_start: facts.cleanStart,
    expiry_interval: expiryIntervalFor(facts.cleanStart),
    receive_maximum: RECEIVE_MAXIMUM,
    connected_at: facts.connectedAt,
    ts,
    conn_props: {},
    client_attrs: {},
  };
}

export function buildDisconnectedPayload(
  facts: ConnectionFacts,
  reason: EmqxDisconnectReason,
  disconnectedAt: number,
  ts: number,
): EmqxDisconnectedPayload {
  return {
    clientid: facts.clientId,
    username: facts.username,
    ipaddress: normalizeIpAddress(facts.peerHost),
    sockport: facts.sockPort,
    protocol: "mqtt",
    proto_name: facts.protoName,
    proto_ver: facts.protoVer,
    connected_at: facts.connectedAt,
    reason,
    disconnected_at: disconnectedAt,
    ts,
    disconn_props: {},
    client_attrs: {},
  };
}

export function buildConnackPayload(
  facts: ConnectionFacts,
  reasonCode: EmqxConnackReasonCode,
  nodeName: string,
  timestamp: number,
): EmqxConnackPayload {
  return {
    reason_code: reasonCode,
    clientid: facts.clientId,
    username: facts.username,
    peername: formatPeer(facts.peerHost, facts.peerPort),
    sockname: formatPeer(facts.sockHost, facts.sockPort),
    proto_name: facts.protoName,
    proto_ver: facts.protoVer,
    keepalive: facts.keepalive,
    clean_start: facts.cleanStart,
    expiry_interval: expiryIntervalFor(facts.cleanStart),
    connected_at: facts.connectedAt,
    conn_props: {},
    event: "client.connack",
    timestamp,
    node: nodeName,
  };
}

/**
 * aedes speaks MQTT 3.1.1 CONNACK return codes; EMQX names the MQTT 5 code it used internally
 * (`emqx_channel:handle_out(connack, ...)` calls `emqx_reason_codes:name/1`), so 4 is `bad_username_or_password`.
 */
export function mapConnackReturnCode(returnCode: number): EmqxConnackReasonCode {
  switch (returnCode) {
    case 1:
      return "unsupported_protocol_version";
    case 2:
      return "client_identifier_not_valid";
    case 3:
      return "server_unavailable";
    case 4:
      return "bad_username_or_password";
    case 5:
      return "not_authorized";
    default:
      return "unspecified_error";
  }
}
