import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import { EventKindSchema, type EventKind, type Initiator, type Reason } from "@/lib/events/connection-event.ts";
import { redactSecrets } from "@/lib/security/redact.ts";
import { encodeEventCursor, type EventCursor } from "./cursor.ts";
import { DeviceEventCoreRowSchema, deviceEventsNewestFirst } from "./device-events-newest-first.ts";

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
  /** The source's input shape (lib/events/feeds.ts); null for events stored before decision 075. */
  feed: string | null;
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

const DeviceEventRowSchema = DeviceEventCoreRowSchema.extend({
  kind: EventKindSchema,
  receivedAt: SqlDate,
  source: z.string(),
  feed: z.string().nullable(),
  brokerNode: z.string().nullable(),
  sessionKey: z.string().nullable(),
  ordering: z.bigint().nullable(),
  clientIp: z.string().nullable(),
  clientPort: z.number().int().nullable(),
  protocolVersion: z.number().int().nullable(),
  keepaliveSec: z.number().int().nullable(),
  cleanStart: z.boolean().nullable(),
  sessionPresent: z.boolean().nullable(),
  username: z.string().nullable(),
  tls: z.boolean().nullable(),
  flags: z.array(z.string()),
  raw: z.unknown(),
});

/** A device's events in [from, to), newest first, keyset-paged on (occurredAt, id); credentials in message, username and raw payload redacted. */
export async function listDeviceEvents(db: Db, input: ListDeviceEventsInput): Promise<DeviceEventPage> {
  const { cursor } = input;
  const device = deviceEventsNewestFirst(input.deviceId);
  const rows = await queryRows(
    db,
    "listDeviceEvents",
    DeviceEventRowSchema,
    Prisma.sql`
    SELECT e.id, e.kind::text AS kind, e.occurred_at AS "occurredAt", e.received_at AS "receivedAt", e.reason::text AS reason,
           e.initiator::text AS initiator, e.code, e.message, e.source, e.feed, e.broker_node AS "brokerNode",
           e.session_key AS "sessionKey", e.ordering, e.client_ip AS "clientIp", e.client_port AS "clientPort",
           e.protocol_version AS "protocolVersion", e.keepalive_sec AS "keepaliveSec", e.clean_start AS "cleanStart",
           e.session_present AS "sessionPresent", e.username, e.tls, e.flags, e.raw
    FROM connection_events e
    WHERE ${device.where} AND e.occurred_at >= ${input.from} AND e.occurred_at < ${input.to}
      ${input.kinds && input.kinds.length > 0 ? Prisma.sql`AND e.kind = ANY(${input.kinds}::"EventKind"[])` : Prisma.empty}
      ${cursor ? Prisma.sql`AND (e.occurred_at < ${cursor.occurredAt} OR (e.occurred_at = ${cursor.occurredAt} AND e.id < ${cursor.id}))` : Prisma.empty}
    ${device.orderBy}
    LIMIT ${input.limit + 1}`,
  );

  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => redactSecrets({ ...row, id: row.id.toString(), ordering: row.ordering?.toString() ?? null })),
    nextCursor: rows.length > input.limit && last ? encodeEventCursor({ occurredAt: last.occurredAt, id: last.id }) : null,
  };
}
