import type { CheckId } from "@/lib/knowledge/types.ts";

/** What Linkscope looks at to check a step, in words: check IDs are for code, not for people. */
export const CHECK_EVIDENCE: Record<CheckId, string> = {
  "keepalive-within-nat-timeout": "the keepalive in the device's connect events",
  "reconnect-backoff": "the waits between a failure and the next attempt",
  "unique-client-id": "session takeovers and the addresses the device connects from",
  "credentials-accepted": "whether refused connects are followed by a successful one",
  "renews-before-expiry": "connections the server ended for expired credentials",
  "reconnects-quickly": "how soon the device reconnects after a drop",
  "not-fleet-wide": "whether comparable devices dropped in the same minutes",
  "below-rate-limits": "throttling and quota events",
  "tls-handshake-ok": "TLS failures and successful connects",
  "client-id-accepted": "client-ID rejections",
  "stable-network": "how often the network path drops",
  "protocol-clean": "protocol errors",
  manual: "you, on the device",
};
