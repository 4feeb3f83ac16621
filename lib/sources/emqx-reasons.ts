import type { Initiator, Reason } from "@/lib/events/connection-event.ts";
import { SOCKET_ERRORS } from "./socket-errors.ts";

export type ReasonMapping = { reason: Reason; initiator: Initiator };

/**
 * EMQX disconnect reasons (`reason` in `$SYS/.../disconnected` and rule-engine `client_disconnected`),
 * 4.x and 5.x, to canonical reasons. See lifecycle-formats.md §3.3. Keys are EMQX's atoms verbatim.
 */
export const EMQX_DISCONNECT_REASONS: Readonly<Record<string, ReasonMapping>> = {
  normal: { reason: "client_disconnect", initiator: "client" },
  // A client DISCONNECT with a non-zero code is reported by that code's emqx_reason_codes name (§3.3).
  disconnect_with_will_message: { reason: "client_disconnect", initiator: "client" },
  kicked: { reason: "admin_disconnect", initiator: "server" },
  administrative_action: { reason: "admin_disconnect", initiator: "server" },
  discarded: { reason: "session_taken_over", initiator: "server" },
  takenover: { reason: "session_taken_over", initiator: "server" },
  takeovered: { reason: "session_taken_over", initiator: "server" },
  session_taken_over: { reason: "session_taken_over", initiator: "server" },
  keepalive_timeout: { reason: "keepalive_timeout", initiator: "network" },
  not_authorized: { reason: "not_authorized", initiator: "server" },
  auth_expired: { reason: "credential_expired", initiator: "server" },
  expired: { reason: "credential_expired", initiator: "server" },
  tcp_closed: { reason: "connection_lost", initiator: "network" },
  ssl_closed: { reason: "connection_lost", initiator: "network" },
  closed: { reason: "connection_lost", initiator: "network" },
  sock_closed: { reason: "connection_lost", initiator: "network" },
  ...Object.fromEntries(SOCKET_ERRORS.map(([atom]) => [atom, { reason: "connection_lost", initiator: "network" } as const])),
  idle_timeout: { reason: "idle_timeout", initiator: "server" },
  frame_too_large: { reason: "protocol_error", initiator: "server" },
  packet_too_large: { reason: "protocol_error", initiator: "server" },
  protocol_error: { reason: "protocol_error", initiator: "server" },
  malformed_packet: { reason: "protocol_error", initiator: "server" },
  receive_maximum_exceeded: { reason: "throttled", initiator: "server" },
  topic_alias_invalid: { reason: "protocol_error", initiator: "server" },
  topic_name_invalid: { reason: "protocol_error", initiator: "server" },
  payload_format_invalid: { reason: "protocol_error", initiator: "server" },
  topic_filter_invalid: { reason: "protocol_error", initiator: "server" },
  shared_subscriptions_not_supported: { reason: "protocol_error", initiator: "server" },
  subscription_identifiers_not_supported: { reason: "protocol_error", initiator: "server" },
  wildcard_subscriptions_not_supported: { reason: "protocol_error", initiator: "server" },
  quota_exceeded: { reason: "quota_exceeded", initiator: "server" },
  message_rate_too_high: { reason: "throttled", initiator: "server" },
  connection_rate_exceeded: { reason: "throttled", initiator: "server" },
  server_busy: { reason: "throttled", initiator: "server" },
  server_shutting_down: { reason: "server_shutdown", initiator: "server" },
  use_another_server: { reason: "server_shutdown", initiator: "server" },
  server_moved: { reason: "server_shutdown", initiator: "server" },
  maximum_connect_time: { reason: "session_ttl", initiator: "server" },
  ssl_upgrade_timeout: { reason: "tls_error", initiator: "network" },
  internal_error: { reason: "server_error", initiator: "server" },
  unspecified_error: { reason: "server_error", initiator: "server" },
  implementation_specific_error: { reason: "server_error", initiator: "server" },
};

/**
 * EMQX CONNACK reason-code names (`client_connack.reason_code`, MQTT 3.1.1 and 5) for refused connects. The broker
 * refuses, so the initiator is the server; the reason names the client's fault. `success` / `connection_accepted`
 * are not refusals: see CONNACK_SUCCESS_NAMES.
 */
export const EMQX_CONNACK_REASONS: Readonly<Record<string, ReasonMapping>> = {
  unacceptable_protocol_version: { reason: "protocol_error", initiator: "server" },
  unsupported_protocol_version: { reason: "protocol_error", initiator: "server" },
  client_identifier_not_valid: { reason: "protocol_error", initiator: "server" },
  server_unavailable: { reason: "server_error", initiator: "server" },
  server_unavaliable: { reason: "server_error", initiator: "server" },
  malformed_username_or_password: { reason: "auth_failed", initiator: "server" },
  bad_username_or_password: { reason: "auth_failed", initiator: "server" },
  bad_authentication_method: { reason: "auth_failed", initiator: "server" },
  unauthorized_client: { reason: "not_authorized", initiator: "server" },
  not_authorized: { reason: "not_authorized", initiator: "server" },
  banned: { reason: "not_authorized", initiator: "server" },
  unspecified_error: { reason: "server_error", initiator: "server" },
  malformed_packet: { reason: "protocol_error", initiator: "server" },
  protocol_error: { reason: "protocol_error", initiator: "server" },
  implementation_specific_error: { reason: "server_error", initiator: "server" },
  server_busy: { reason: "throttled", initiator: "server" },
  topic_name_invalid: { reason: "protocol_error", initiator: "server" },
  packet_too_large: { reason: "protocol_error", initiator: "server" },
  quota_exceeded: { reason: "quota_exceeded", initiator: "server" },
  retain_not_supported: { reason: "protocol_error", initiator: "server" },
  qos_not_supported: { reason: "protocol_error", initiator: "server" },
  use_another_server: { reason: "server_shutdown", initiator: "server" },
  server_moved: { reason: "server_shutdown", initiator: "server" },
  connection_rate_exceeded: { reason: "throttled", initiator: "server" },
};

export const CONNACK_SUCCESS_NAMES = new Set(["success", "connection_accepted"]);
