import type { EventKind, Reason } from "@/lib/events/connection-event.ts";

/** Display names for the canonical reasons; the machine name is always shown next to them. */
export const REASON_LABELS: Record<Reason, string> = {
  connected: "Connected",
  client_disconnect: "Client disconnect",
  connection_lost: "Connection lost",
  keepalive_timeout: "Keepalive timeout",
  idle_timeout: "Idle timeout",
  session_taken_over: "Session taken over",
  auth_failed: "Authentication failed",
  credential_expired: "Credential expired",
  not_authorized: "Not authorized",
  tls_error: "TLS error",
  protocol_error: "Protocol error",
  throttled: "Throttled",
  quota_exceeded: "Quota exceeded",
  server_error: "Server error",
  server_shutdown: "Server shutdown",
  admin_disconnect: "Disconnected by admin",
  session_ttl: "Session TTL reached",
  unknown: "Unknown",
};

/** One stable color per reason across charts, markers and badges; the frequent drop reasons get the most distinct hues. */
export const REASON_COLORS: Record<Reason, string> = {
  connected: "#2f9e44",
  client_disconnect: "#909aa5",
  connection_lost: "#e8590c",
  keepalive_timeout: "#1c7ed6",
  idle_timeout: "#f59f00",
  session_taken_over: "#7048e8",
  auth_failed: "#c92a2a",
  credential_expired: "#e64980",
  not_authorized: "#862e9c",
  tls_error: "#0c8599",
  protocol_error: "#5c940d",
  throttled: "#82c91e",
  quota_exceeded: "#2b8a3e",
  server_error: "#a61e4d",
  server_shutdown: "#212529",
  admin_disconnect: "#495057",
  session_ttl: "#22b8cf",
  unknown: "#ced4da",
};

export const KIND_LABELS: Record<EventKind, string> = {
  connected: "Connected",
  disconnected: "Disconnected",
  connect_failed: "Connect failed",
  device_report: "Device report",
};

export function formatReason(reason: Reason | null | undefined): string {
  return reason ? REASON_LABELS[reason] : "—";
}
