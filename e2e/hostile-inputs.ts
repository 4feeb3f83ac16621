import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";

/** Each of these sets `window.__xss` if any page ever renders it as HTML instead of text. */
export const HOSTILE_DEVICE_ID = `<img src=x onerror="window.__xss='id'"><script>window.__xss='id-script'</script>`;
export const HOSTILE_MESSAGE = `<script>window.__xss='message'</script>`;
export const HOSTILE_USERNAME = `"><svg onload="window.__xss='username'">`;

/** A device whose ID, vendor message and raw payload carry HTML and script, connected then dropped an hour ago. */
export function buildHostileEvents(now: number): ConnectionEvent[] {
  const connectedAt = now - 2 * 60 * 60_000;
  const droppedAt = now - 60 * 60_000;
  const base = {
    ...EVENT_DEFAULTS,
    deviceId: HOSTILE_DEVICE_ID,
    source: "emqx",
    brokerNode: "emqx@10.0.0.5",
    sessionKey: String(connectedAt),
    clientIp: "10.66.6.6",
    username: HOSTILE_USERNAME,
  };
  return [
    {
      ...base,
      kind: "connected",
      occurredAt: new Date(connectedAt),
      reason: "connected",
      initiator: "client",
      dedupeKey: computeDedupeKey("e2e-hostile", [HOSTILE_DEVICE_ID, "connected", connectedAt]),
      raw: {
        clientid: HOSTILE_DEVICE_ID,
        username: HOSTILE_USERNAME,
        connected_at: connectedAt,
        note: "</pre><script>window.__xss='raw'</script>",
      },
    },
    {
      ...base,
      kind: "disconnected",
      occurredAt: new Date(droppedAt),
      reason: "connection_lost",
      initiator: "network",
      code: "emqx:<b>tcp_closed</b>",
      message: HOSTILE_MESSAGE,
      dedupeKey: computeDedupeKey("e2e-hostile", [HOSTILE_DEVICE_ID, "disconnected", droppedAt]),
      raw: { clientid: HOSTILE_DEVICE_ID, reason: HOSTILE_MESSAGE, disconnected_at: droppedAt, connected_at: connectedAt },
    },
  ];
}
