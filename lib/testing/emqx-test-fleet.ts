import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client.ts";
import { recordConnectionEvents } from "@/lib/ingest/record-events.ts";
import { emqxLifecycleEvent } from "./emqx-lifecycle.ts";
import { MINUTE_MS } from "@/lib/time/durations.ts";

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
