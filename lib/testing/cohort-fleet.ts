import { EVENT_DEFAULTS, type ConnectionEvent, type Reason } from "@/lib/events/connection-event.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

/** One stretch of a device's life: it drops every `dropEveryMs` (reconnecting a minute later), with these reasons in turn. */
export type DropPlan = { from: Date; to: Date; dropEveryMs: number; reasons: readonly Reason[]; refuseEveryMs?: number };

/**
 * Connection history of one device following its plans, as an MQTT broker would report it: a connect at the start,
 * each drop a disconnect followed a minute later by a reconnect (refused ones as failed connects before it).
 * Deterministic, with unique dedupe keys per device, so seeds for tests and benchmarks can state exact rates.
 */
export function planDeviceEvents(
  deviceId: string,
  plans: readonly DropPlan[],
  options: { source?: string; brokerNode?: string; offsetMs?: number } = {},
): ConnectionEvent[] {
  const source = options.source ?? "emqx";
  const events: ConnectionEvent[] = [];
  let session = 0;
  const make = (kind: ConnectionEvent["kind"], at: number, reason: Reason, sessionKey: string): ConnectionEvent => ({
    ...EVENT_DEFAULTS,
    deviceId,
    kind,
    occurredAt: new Date(at),
    reason,
    initiator: kind === "connected" ? "client" : "network",
    code: null,
    source,
    brokerNode: options.brokerNode ?? "cohort-node",
    sessionKey,
    dedupeKey: `cohort:${deviceId}:${kind}:${at}`,
    raw: {},
  });
  for (const plan of plans) {
    const start = plan.from.getTime() + ((options.offsetMs ?? 0) % plan.dropEveryMs);
    let at = plan.from.getTime();
    // Plans follow each other: the device stays connected from one into the next.
    if (events.length === 0) events.push(make("connected", at, "connected", `${deviceId}#${session}`));
    let drops = 0;
    for (let dropAt = start + plan.dropEveryMs; dropAt < plan.to.getTime() - 2 * MINUTE_MS; dropAt += plan.dropEveryMs) {
      const reason = plan.reasons[drops % plan.reasons.length] ?? "connection_lost";
      events.push(make("disconnected", dropAt, reason, `${deviceId}#${session}`));
      drops += 1;
      session += 1;
      at = dropAt + MINUTE_MS;
      if (plan.refuseEveryMs && drops % Math.max(1, Math.round(plan.refuseEveryMs / plan.dropEveryMs)) === 0) {
        events.push(make("connect_failed", at - MINUTE_MS / 2, "not_authorized", `${deviceId}#refused${session}`));
      }
      events.push(make("connected", at, "connected", `${deviceId}#${session}`));
    }
  }
  return events;
}
