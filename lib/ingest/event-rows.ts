import { Prisma } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { textOrNull, unnestRows, type UnnestColumn } from "./unnest-rows.ts";

/** An event as stored: its raw payload already serialized (and bounded by the writer) and its flags. */
export type EventRow = { event: ConnectionEvent; raw: string; flags: readonly string[] };

const EVENT_COLUMNS: UnnestColumn<EventRow>[] = [
  ["dedupe_key", "text", (r) => r.event.dedupeKey],
  ["device_id", "text", (r) => r.event.deviceId],
  ["kind", "text", (r) => r.event.kind],
  ["occurred_at", "timestamptz", (r) => r.event.occurredAt.toISOString()],
  ["reason", "text", (r) => r.event.reason],
  ["initiator", "text", (r) => r.event.initiator],
  ["code", "text", (r) => r.event.code],
  ["message", "text", (r) => r.event.message],
  ["source", "text", (r) => r.event.source],
  ["feed", "text", (r) => r.event.feed],
  ["broker_node", "text", (r) => r.event.brokerNode],
  ["session_key", "text", (r) => r.event.sessionKey],
  ["ordering", "bigint", (r) => textOrNull(r.event.ordering)],
  ["client_ip", "text", (r) => r.event.clientIp],
  ["client_port", "int", (r) => r.event.clientPort],
  ["protocol_version", "int", (r) => r.event.protocolVersion],
  ["keepalive_sec", "int", (r) => r.event.keepaliveSec],
  ["clean_start", "boolean", (r) => r.event.cleanStart],
  ["session_present", "boolean", (r) => r.event.sessionPresent],
  ["username", "text", (r) => r.event.username],
  ["tls", "boolean", (r) => r.event.tls],
  ["flags", "text", (r) => (r.flags.length === 0 ? null : JSON.stringify(r.flags))],
  ["raw", "jsonb", (r) => r.raw],
];

/**
 * `INSERT INTO connection_events (…) SELECT … FROM unnest(…)`: the one column list of stored events, shared by the writer
 * (which adds its ON CONFLICT clause) and the bulk scale build (lib/testing/bulk-scale-fleet.ts), so the two cannot drift.
 */
export function insertEventRowsSql(rows: readonly EventRow[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO connection_events (
      dedupe_key, device_id, kind, occurred_at, reason, initiator, code, message, source, feed, broker_node,
      session_key, ordering, client_ip, client_port, protocol_version, keepalive_sec, clean_start,
      session_present, username, tls, flags, raw)
    SELECT u.dedupe_key, u.device_id, u.kind::"EventKind", u.occurred_at, u.reason::"Reason", u.initiator::"Initiator", u.code, u.message,
      u.source, u.feed, u.broker_node, u.session_key, u.ordering, u.client_ip, u.client_port, u.protocol_version, u.keepalive_sec, u.clean_start,
      u.session_present, u.username, u.tls,
      CASE WHEN u.flags IS NULL THEN '{}'::text[] ELSE ARRAY(SELECT jsonb_array_elements_text(u.flags::jsonb)) END, u.raw
    FROM ${unnestRows(rows, EVENT_COLUMNS)}`;
}
