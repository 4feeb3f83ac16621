import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { parseEmqxMessage } from "@/lib/sources/emqx.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

/** An EMQX connect (`connectedAt`) or disconnect (`at`) message of `deviceId` on `node`, through the real adapter. */
export function emqxLifecycleEvent(
  node: string,
  deviceId: string,
  kind: "connected" | "disconnected",
  connectedAt: number,
  at = connectedAt,
  reason = "keepalive_timeout",
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
          ts: connectedAt,
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
        };
  const result = parseEmqxMessage(`$SYS/brokers/${node}/clients/${encodeURIComponent(deviceId)}/${kind}`, JSON.stringify(payload));
  if (!result.ok || !result.events[0]) throw new Error(`fixture did not parse: ${JSON.stringify(result)}`);
  return result.events[0];
}

/** A small fleet on its own broker node (unique IDs); connect / drop write through the real ingest writer. */
export function createEmqxTestFleet(db: Db, size: number, prefix = "alert-dev") {
  const node = `node-${randomUUID().slice(0, 8)}@10.0.0.1`;
  const ids = Array.from({ length: size }, (_, i) => `${prefix}-${i}-${randomUUID().slice(0, 6)}`);
  const connectedAt = new Map<string, number>();
  return {
    node,
    ids,
    async connect(deviceIds: string[], at: number) {
      for (const id of deviceIds) connectedAt.set(id, at);
      await recordConnectionEvents(
        db,
        deviceIds.map((id) => emqxLifecycleEvent(node, id, "connected", at)),
      );
    },
    async drop(deviceIds: string[], at: number, reason?: string) {
      await recordConnectionEvents(
        db,
        deviceIds.map((id) => emqxLifecycleEvent(node, id, "disconnected", connectedAt.get(id) ?? at - MINUTE_MS, at, reason)),
      );
    },
  };
}
