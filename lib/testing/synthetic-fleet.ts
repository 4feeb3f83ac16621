import { EVENT_DEFAULTS, type ConnectionEvent, type Reason } from "@/lib/events/connection-event.ts";
import { createSeededRandom, pickExponential } from "@/demo/simulator/seeded-random.ts";

export type SyntheticFleetOptions = {
  seed: number;
  devices: number;
  from: Date;
  to: Date;
  /** Mean connected time and mean offline gap. */
  meanSessionMs: number;
  meanGapMs: number;
  sources?: readonly string[];
  /** Broker nodes per source; null is a source without nodes. */
  nodes?: readonly (string | null)[];
  /** Chance that a reconnect lands on another node while the old connection is still open (a takeover). */
  takeoverRate?: number;
  /** Chance that a disconnect is never delivered. */
  missingDisconnectRate?: number;
  /** Chance of a refused connect before a connect. */
  failedConnectRate?: number;
  /** Chance that an event is delivered twice. */
  duplicateRate?: number;
  /** Chance that an event is delivered late (moved up to `maxDelayEvents` positions later). */
  lateRate?: number;
  maxDelayEvents?: number;
  devicePrefix?: string;
};

const DROPS: ReadonlyArray<{ reason: Reason; code: string }> = [
  { reason: "connection_lost", code: "emqx:tcp_closed" },
  { reason: "keepalive_timeout", code: "emqx:keepalive_timeout" },
  { reason: "client_disconnect", code: "emqx:normal" },
  { reason: "not_authorized", code: "emqx:not_authorized" },
  { reason: "server_shutdown", code: "emqx:server_shutdown" },
  { reason: "connection_lost", code: "aws:MQTT_KEEP_ALIVE_TIMEOUT" },
  { reason: "throttled", code: "aws:THROTTLED" },
  { reason: "unknown", code: "" },
];

/**
 * Reproducible lifecycle events for a synthetic fleet, in delivery order: sessions with real drop reasons and
 * codes, takeovers across nodes, missing disconnects, refused connects, duplicates and late deliveries. For
 * integration tests and benchmarks that exercise the real writer.
 */
export function generateSyntheticFleetEvents(options: SyntheticFleetOptions): ConnectionEvent[] {
  const random = createSeededRandom(options.seed);
  const sources = options.sources ?? ["emqx"];
  const nodes = options.nodes ?? ["node-a", "node-b"];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: ConnectionEvent[] = [];
  const prefix = options.devicePrefix ?? "synthetic";

  for (let d = 0; d < options.devices; d += 1) {
    const deviceId = `${prefix}-${String(d).padStart(5, "0")}`;
    const source = sources[d % sources.length] as string;
    let node = pick(nodes);
    let t = options.from.getTime() + pickExponential(random, options.meanGapMs);
    let sessionNo = 0;
    const base = { ...EVENT_DEFAULTS, deviceId, source, raw: {} };
    const key = (kind: string, n: number) => `${prefix}:${deviceId}:${kind}:${n}`;
    while (t < options.to.getTime()) {
      if (random() < (options.failedConnectRate ?? 0.05)) {
        events.push({
          ...base,
          kind: "connect_failed",
          occurredAt: new Date(t),
          reason: "auth_failed",
          initiator: "server",
          code: "connack:5",
          brokerNode: node,
          dedupeKey: key("failed", sessionNo),
        });
        t += 1000;
      }
      sessionNo += 1;
      const sessionKey = `${deviceId}#${sessionNo}`;
      events.push({
        ...base,
        kind: "connected",
        occurredAt: new Date(t),
        reason: "connected",
        initiator: "client",
        brokerNode: node,
        sessionKey,
        dedupeKey: key("conn", sessionNo),
      });
      const end = Math.round(t + pickExponential(random, options.meanSessionMs)) + 1;
      if (end >= options.to.getTime()) break;
      if (random() < (options.takeoverRate ?? 0.05)) {
        // The device reconnects elsewhere before the broker noticed; the old node reports the takeover a bit later.
        const nextNode = pick(nodes);
        sessionNo += 1;
        events.push({
          ...base,
          kind: "connected",
          occurredAt: new Date(end),
          reason: "connected",
          initiator: "client",
          brokerNode: nextNode,
          sessionKey: `${deviceId}#${sessionNo}`,
          dedupeKey: key("conn", sessionNo),
        });
        events.push({
          ...base,
          kind: "disconnected",
          occurredAt: new Date(end + 5),
          reason: "session_taken_over",
          initiator: "server",
          code: "emqx:takenover",
          brokerNode: node,
          sessionKey,
          dedupeKey: key("disc", sessionNo - 1),
        });
        node = nextNode;
        t = end + 5;
        const close = Math.round(t + pickExponential(random, options.meanSessionMs)) + 1;
        if (close >= options.to.getTime()) break;
        const drop = pick(DROPS);
        events.push({
          ...base,
          kind: "disconnected",
          occurredAt: new Date(close),
          reason: drop.reason,
          initiator: "network",
          code: drop.code || null,
          brokerNode: node,
          sessionKey: `${deviceId}#${sessionNo}`,
          dedupeKey: key("disc", sessionNo),
        });
        t = close + Math.round(pickExponential(random, options.meanGapMs)) + 1;
        continue;
      }
      if (random() >= (options.missingDisconnectRate ?? 0.02)) {
        const drop = pick(DROPS);
        events.push({
          ...base,
          kind: "disconnected",
          occurredAt: new Date(end),
          reason: drop.reason,
          initiator: "network",
          code: drop.code || null,
          brokerNode: node,
          sessionKey,
          dedupeKey: key("disc", sessionNo),
        });
      }
      if (random() < 0.3) node = pick(nodes);
      t = end + Math.round(pickExponential(random, options.meanGapMs)) + 1;
    }
  }

  events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const delivered: ConnectionEvent[] = [];
  for (const event of events) {
    delivered.push(event);
    if (random() < (options.duplicateRate ?? 0)) delivered.push({ ...event });
  }
  const maxDelay = options.maxDelayEvents ?? 50;
  for (let i = delivered.length - 1; i >= 0; i -= 1) {
    if (random() >= (options.lateRate ?? 0)) continue;
    const j = Math.min(delivered.length - 1, i + 1 + Math.floor(random() * maxDelay));
    const [late] = delivered.splice(i, 1);
    if (late) delivered.splice(j, 0, late);
  }
  return delivered;
}
