import { buildConnectionEvent } from "@/lib/events/build-connection-event.ts";
import { type AdapterResult } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { FEEDS } from "@/lib/events/feeds.ts";
import { DeviceIdSchema, decodeText, finishEvents, guard, reject } from "./adapter-kit.ts";

export const AEDES_SOURCE = "aedes";
export const AEDES_TOPICS = ["$SYS/+/new/clients", "$SYS/+/disconnect/clients"] as const;
const TOPIC_PATTERN = /^\$SYS\/([^/]+)\/(new|disconnect)\/clients$/;

/**
 * aedes `$SYS/<brokerId>/new|disconnect/clients` (§5.1): the payload is only the client ID, with no time and no
 * reason, so the event time is the arrival time and every disconnect's reason is `unknown`.
 */
export function parseAedesMessage(topic: string, payload: Buffer | string, context: { receivedAt?: Date } = {}): AdapterResult {
  return guard(() => {
    const match = TOPIC_PATTERN.exec(topic);
    if (!match) return reject(`not an aedes client topic: ${topic.slice(0, 200)}`);
    const decoded = decodeText(payload);
    if (!decoded.ok) return decoded;
    const id = DeviceIdSchema.safeParse(decoded.text);
    if (!id.success) return reject(`client ID: ${id.error.issues[0]?.message ?? "invalid"}`);
    const at = context.receivedAt ?? new Date();
    const broker = match[1] ?? null;
    const connected = match[2] === "new";
    return finishEvents([
      buildConnectionEvent({
        deviceId: id.data,
        kind: connected ? "connected" : "disconnected",
        occurredAt: at,
        reason: connected ? "connected" : "unknown",
        initiator: connected ? "client" : "unknown",
        source: AEDES_SOURCE,
        feed: FEEDS.aedesSys,
        brokerNode: broker,
        dedupeKey: computeDedupeKey(AEDES_SOURCE, [match[2], broker, id.data, at.getTime()]),
        raw: { topic, clientId: id.data },
      }),
    ]);
  });
}
