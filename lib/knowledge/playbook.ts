import type { Reason } from "@/lib/events/connection-event.ts";
import { keepaliveStep } from "./keepalive-steps.ts";
import type { EntryRow, KnowledgeEntry, ResolutionStep, Vendor } from "./types.ts";

/** Typical root causes per canonical reason, used where a vendor table gives none of its own. */
export const REASON_CAUSES: Record<Reason, string[]> = {
  connected: [],
  client_disconnect: ["Normal shutdown or restart of the client application", "A deliberate reconnect (for example to renew credentials)"],
  connection_lost: ["Cellular or Wi-Fi drop", "NAT or load-balancer idle timeout shorter than the keepalive", "Power loss or client crash"],
  keepalive_timeout: [
    "Device hung or its network path froze without closing",
    "PINGREQ not sent in time",
    "Keepalive longer than a NAT idle timeout",
  ],
  idle_timeout: [
    "No CONNECT (or no traffic) within the server's idle limit",
    "Health checks or port scanners opening bare TCP connections",
  ],
  session_taken_over: [
    "Two devices or processes share one client ID",
    "A device reconnects before the server has noticed the old connection is gone",
  ],
  auth_failed: [
    "Wrong, expired or malformed credentials (password, SAS token, JWT)",
    "Device clock skew makes a token look expired or not yet valid",
  ],
  credential_expired: ["Token or certificate lifetime ran out and the client did not renew it before expiry"],
  not_authorized: ["Policy or ACL denies the connection or action", "Credentials expired or were revoked mid-session"],
  tls_error: [
    "Wrong or outdated root CA on the device",
    "TLS version below what the server requires",
    "Device clock wrong, so certificates look expired or not yet valid",
  ],
  protocol_error: ["Client library bug or unsupported feature", "Oversized packets, second CONNECT, invalid topic or client ID"],
  throttled: ["Publish, connect or subscribe rate above the server's limits", "Reconnect storm without backoff"],
  quota_exceeded: ["Daily or per-device quota used up", "Tier too small for the traffic"],
  server_error: ["Transient fault on the server side"],
  server_shutdown: ["Broker restart, deployment or scheduled maintenance"],
  admin_disconnect: ["An operator or automation kicked the client"],
  session_ttl: ["The server limits how long one connection may last"],
  unknown: ["Not known; correlate with the device's own logs"],
};

const step = (text: string, check: ResolutionStep["check"]): ResolutionStep => ({ text, check });

/** Resolution steps per canonical reason, ordered, each tagged with the check that evaluates it. */
export const REASON_STEPS: Record<Reason, ResolutionStep[]> = {
  connected: [],
  client_disconnect: [
    step("Confirm the disconnects were intended (shutdown, restart, deliberate reconnect)", "manual"),
    step("Confirm the client reconnects within a minute", "reconnects-quickly"),
  ],
  connection_lost: [
    step("Rule out a server or network event: other devices should not have dropped in the same minutes", "not-fleet-wide"),
    keepaliveStep(
      ({ keepaliveSec, natWindowSec }) =>
        `Set the keepalive to ${keepaliveSec} s so NAT devices keep the mapping open (${
          natWindowSec === null
            ? "they forget idle flows after 240–600 s, some carrier NATs sooner"
            : `this device's drops show a NAT that forgets idle flows within about ${natWindowSec} s`
        })`,
    ),
    step("Check the device's network (signal, Wi-Fi roaming, DHCP, power save) around the drop times", "stable-network"),
    step("Reconnect with exponential backoff and jitter", "reconnect-backoff"),
  ],
  keepalive_timeout: [
    keepaliveStep(
      ({ keepaliveSec }) => `Set the keepalive to ${keepaliveSec} s; the broker detects a dead link only after 1.5 × keepalive`,
    ),
    step("Check that the client's ping loop runs while the application is busy (no blocked event loop)", "manual"),
    step("Check the device's network path around the drop times", "stable-network"),
  ],
  idle_timeout: [
    keepaliveStep(({ keepaliveSec }) => `Send a PINGREQ or a message well within the idle limit (a ${keepaliveSec} s keepalive)`),
    step("Exclude load-balancer health checks and scanners from alerting", "manual"),
  ],
  session_taken_over: [
    step("Make sure each device has a unique client ID (look for takeovers alternating between two addresses)", "unique-client-id"),
    step("Reconnect only after the old connection is closed, with backoff", "reconnect-backoff"),
  ],
  auth_failed: [
    step("Check that the device's credentials are accepted at all (any successful connect after the failures)", "credentials-accepted"),
    step("Decode the token: expiry, audience, algorithm and base64url encoding (see /tools/jwt)", "manual"),
    step("Sync the device clock with NTP (tokens tolerate only minutes of skew)", "manual"),
    step("After repeated failures, reconnect with freshly generated credentials rather than retrying the same ones", "reconnect-backoff"),
  ],
  credential_expired: [
    step(
      "Renew the token or certificate before it expires and reconnect with it, instead of waiting to be cut off",
      "renews-before-expiry",
    ),
    step("Confirm the device reconnects with fresh credentials within a minute", "reconnects-quickly"),
    step("Sync the device clock with NTP", "manual"),
  ],
  not_authorized: [
    step("Check that the device's credentials are accepted at all (any successful connect after the failures)", "credentials-accepted"),
    step("Review the policy or ACL attached to the device's identity", "manual"),
    step("If disconnects come at regular intervals, renew credentials before they expire", "renews-before-expiry"),
  ],
  tls_error: [
    step("Check the TLS handshake succeeds from the device's network (openssl s_client -connect host:8883 -showcerts)", "tls-handshake-ok"),
    step("Install the current root CA and use TLS 1.2 or later", "manual"),
    step("Sync the device clock with NTP so certificates validate", "manual"),
  ],
  protocol_error: [
    step("Check the client ID format and length the server accepts", "client-id-accepted"),
    step(
      "Check that the client sends no protocol violations (second CONNECT, oversized packets, QoS 2 where unsupported)",
      "protocol-clean",
    ),
    step("Update the MQTT client library", "manual"),
  ],
  throttled: [
    step("Keep publish and connect rates below the server's limits", "below-rate-limits"),
    step("Reconnect with exponential backoff and jitter, never sub-second retries", "reconnect-backoff"),
  ],
  quota_exceeded: [
    step("Keep message volume within the quota, or raise it", "below-rate-limits"),
    step("Alert on quota use before it runs out", "manual"),
  ],
  server_error: [
    step("Rule out a server-side event: other devices should not have been affected in the same minutes", "not-fleet-wide"),
    step("Retry with exponential backoff and jitter", "reconnect-backoff"),
    step("Check the provider's status page", "manual"),
  ],
  server_shutdown: [
    step("Rule out maintenance or a restart: other devices should not have been affected in the same minutes", "not-fleet-wide"),
    step("Reconnect automatically with backoff and jitter", "reconnect-backoff"),
  ],
  admin_disconnect: [step("Check the audit trail for who disconnected the client and why", "manual")],
  session_ttl: [
    step("Reconnect on schedule with fresh credentials before the connection's time limit", "renews-before-expiry"),
    step("Confirm the device reconnects within a minute", "reconnects-quickly"),
  ],
  unknown: [step("Correlate with the device's own logs and the broker logs", "manual")],
};

/** Builds the entries of one vendor table, filling causes and steps from the canonical reason. */
export function buildEntries(vendor: Vendor, source: string, rows: readonly EntryRow[]): KnowledgeEntry[] {
  return rows.map((row) => ({
    code: `${vendor}:${row.key}`,
    vendor,
    name: row.name ?? row.key,
    meaning: row.meaning,
    initiator: row.initiator,
    reason: row.reason,
    rootCauses: row.causes ?? REASON_CAUSES[row.reason],
    steps: [...(row.steps ?? []), ...REASON_STEPS[row.reason]],
    related: row.related ?? [],
    source,
    expected: row.expected ?? false,
  }));
}

export { step };
