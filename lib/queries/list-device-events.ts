import type { Db } from "@/lib/db/client.ts";
import type { EventKind, Initiator, Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { encodeEventCursor, type EventCursor } from "./cursor.ts";

export type DeviceEvent = {
  id: string;
  kind: EventKind;
  occurredAt: Date;
  receivedAt: Date;
  reason: Reason;
  initiator: Initiator;
  code: string | null;
  message: string | null;
  source: string;
  brokerNode: string | null;
  sessionKey: string | null;
  ordering: string | null;
  clientIp: string | null;
  clientPort: number | null;
  protocolVersion: number | null;
  keepaliveSec: number | null;
  cleanStart: boolean | null;
  sessionPresent: boolean | null;
  username: string | null;
  tls: boolean | null;
  flags: string[];
  raw: unknown;
};

export type ListDeviceEventsInput = {
  deviceId: string;
  from: Date;
  to: Date;
  limit: number;
  cursor?: EventCursor | undefined;
  kinds?: EventKind[] | undefined;
};

export type DeviceEventPage = { events: DeviceEvent[]; nextCursor: string | null };

/** A device's events in [from, to), newest first, keyset-paged on (occurredAt, id); credentials in message, username and raw payload redacted. */
export async function listDeviceEvents(db: Db, input: ListDeviceEventsInput): Promise<DeviceEventPage> {
  const { cursor } = input;
  const rows = await db.connectionEvent.findMany({
    where: {
      deviceId: input.deviceId,
      occurredAt: { gte: input.from, lt: input.to },
      ...(input.kinds && input.kinds.length > 0 ? { kind: { in: input.kinds } } : {}),
      ...(cursor
        ? {
            OR: [{ occurredAt: { lt: cursor.occurredAt } }, { occurredAt: cursor.occurredAt, id: { lt: cursor.id } }],
          }
        : {}),
    },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    omit: { dedupeKey: true, deviceId: true },
  });

  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => redactSecrets({ ...row, id: row.id.toString(), ordering: row.ordering?.toString() ?? null })),
    nextCursor: rows.length > input.limit && last ? encodeEventCursor({ occurredAt: last.occurredAt, id: last.id }) : null,
  };
}
