import { randomUUID } from "node:crypto";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";

/**
 * An EMQX connect or disconnect message through the real adapter: a connect at `at` (by default `connectedAt`), a
 * disconnect at `at` of the connection made at `connectedAt`; `extra` fields override the message's. The one fixture of
 * EMQX's `$SYS` lifecycle events.
 */
export function emqxLifecycleEvent(
  node: string,
  deviceId: string,
  kind: "connected" | "disconnected",
  connectedAt: number,
  at = connectedAt,
  reason = "keepalive_timeout",
  extra: Record<string, unknown> = {},
): ConnectionEvent {
  const payload =
    kind === "connected"
      ? {
          clientid: deviceId,
          username: "u",
          ipaddress: "10.0.0.4",
          proto_ver: 4,
          keepalive: 60,
          clean_start: true,
          connected_at: connectedAt,
          ts: at,
          ...extra,
        }
      : {
          clientid: deviceId,
          username: "u",
          ipaddress: "10.0.0.4",
          proto_ver: 4,
          connected_at: connectedAt,
          disconnected_at: at,
          ts: at,
          reason,
          ...extra,
        };
  const result = parseEmqxMessage(`$SYS/brokers/${node}/clients/${encodeURIComponent(deviceId)}/${kind}`, JSON.stringify(payload));
  if (!result.ok || !result.events[0]) throw new Error(`fixture did not parse: ${JSON.stringify(result)}`);
  return result.events[0];
}

/** A connect `upForMs` before `at` and a drop at `at` of `deviceId` on broker `node`. */
export function emqxConnectAndDrop(
  node: string,
  deviceId: string,
  at: number,
  reason = "keepalive_timeout",
  upForMs = 60_000,
): ConnectionEvent[] {
  const connectedAt = at - upForMs;
  return [
    emqxLifecycleEvent(node, deviceId, "connected", connectedAt),
    emqxLifecycleEvent(node, deviceId, "disconnected", connectedAt, at, reason),
  ];
}

/** A scripted history of one broker node's devices: connects, drops and quick reconnects ("bounces"), collected in time order. */
export function scriptNodeHistory(size: number, prefix: string) {
  const node = `${prefix}-${randomUUID().slice(0, 8)}@10.0.0.9`;
  const ids = Array.from({ length: size }, (_, i) => `${prefix}-${i}-${randomUUID().slice(0, 6)}`);
  const connectedAt = new Map<string, number>();
  const events: ConnectionEvent[] = [];
  let nextBounce = 0;
  const script = {
    node,
    ids,
    connect(deviceIds: string[], at: number) {
      for (const id of deviceIds) {
        connectedAt.set(id, at);
        events.push(emqxLifecycleEvent(node, id, "connected", at, at));
      }
    },
    drop(deviceIds: string[], at: number, reason = "keepalive_timeout") {
      for (const id of deviceIds) events.push(emqxLifecycleEvent(node, id, "disconnected", connectedAt.get(id) ?? at, at, reason));
    },
    /** The next device in turn drops at `at` and reconnects `gapMs` later. */
    bounce(at: number, reason = "keepalive_timeout", gapMs = 20_000) {
      const id = ids[nextBounce++ % ids.length] ?? "";
      script.drop([id], at, reason);
      script.connect([id], at + gapMs);
    },
    /** The events in the order they happened. */
    inTimeOrder(): ConnectionEvent[] {
      return [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    },
  };
  return script;
}
