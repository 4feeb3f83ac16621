import { Prisma } from "@/lib/db/client.ts";
import type { ConnectionEvent, Reason } from "@/lib/events/connection-event.ts";
import { foldKeylessSessions, type KeylessEvent } from "./keyless-sessions.ts";
import { isoOrNull, textOrNull, unnestRows } from "./unnest-rows.ts";
import type { WriterTx } from "./writer-transaction.ts";
import { z } from "zod";

/**
 * The sessions a batch's stored events open and close: keyed ones (the source ties a disconnect to its connect) by
 * their key, keyless ones rebuilt from the device's stored keyless events, and keyed ones whose disconnect never came
 * ended where the next began. Run by the writer in the batch's transaction (record-events.ts).
 */

type Tx = WriterTx;
type StoredEvent = ConnectionEvent & { id: bigint };

/** A session's duration in whole milliseconds, never negative (a clock step can put an end before its start). */
const DURATION_MS = (end: string, start: string) => Prisma.raw(`GREATEST(0, (EXTRACT(EPOCH FROM (${end} - ${start})) * 1000)::bigint)`);

const StoredKeylessEventSchema = z.object({
  id: z.string(),
  device_id: z.string(),
  kind: z.string(),
  occurred_at: z.date(),
  reason: z.string(),
  code: z.string().nullable(),
  client_ip: z.string().nullable(),
  ordering: z.string().nullable(),
  dedupe_key: z.string(),
});

/** Events in the order they happened; at the same millisecond a disconnect precedes a connect (takeover). */
export function compareEvents(a: OrderedEvent, b: OrderedEvent): number {
  if (a.ordering !== null && b.ordering !== null && a.deviceId === b.deviceId && a.ordering !== b.ordering) {
    return a.ordering < b.ordering ? -1 : 1;
  }
  const byTime = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (byTime !== 0) return byTime;
  return kindRank(a) - kindRank(b);
}

type OrderedEvent = Pick<ConnectionEvent, "deviceId" | "ordering" | "occurredAt" | "kind">;

function kindRank(event: OrderedEvent): number {
  return event.kind === "disconnected" ? 0 : event.kind === "connect_failed" ? 1 : event.kind === "connected" ? 2 : 3;
}

/**
 * The earliest of a device's events first: sorted on an expression no index has, so the only index path left is the
 * probe by device. Sorted on occurred_at itself, the occurred_at index looked cheapest whenever a month's statistics said
 * it was empty (an ANALYZE before its first rows committed, and no autovacuum since): it read the whole month for every
 * new session, 6 million index entries for a batch of 300 (decision 063).
 */
const FIRST_BY_TIME_WITHOUT_TIME_INDEX = Prisma.raw("x.occurred_at + INTERVAL '0 seconds', x.id");

/**
 * Sessions of keyed connections (the source ties a disconnect to its connect): one row per connect, closed by its
 * disconnect whenever that is stored, before or after the connect. Arrival order is not trusted.
 */
export function keyedSessionStatements(events: StoredEvent[]): Prisma.Sql[] {
  const statements: Prisma.Sql[] = [];
  const connects = events.filter((e) => e.kind === "connected" && e.sessionKey !== null);
  const disconnects = events.filter((e) => e.kind === "disconnected" && e.sessionKey !== null);
  if (connects.length > 0) {
    // The disconnect may already be stored (this batch or an earlier one): the session is inserted closed.
    statements.push(Prisma.sql`
      INSERT INTO sessions (device_id, session_key, started_at, client_ip, start_event_id, ended_at, end_reason, end_code, end_event_id, end_inferred, duration_ms)
      SELECT u.device_id, u.session_key, u.started_at, u.client_ip, u.event_id, d.occurred_at, d.reason, d.code, d.id, false,
        CASE WHEN d.id IS NULL THEN NULL ELSE ${DURATION_MS("d.occurred_at", "u.started_at")} END
      FROM ${unnestRows(connects, [
        ["device_id", "text", (e) => e.deviceId],
        ["session_key", "text", (e) => e.sessionKey],
        ["started_at", "timestamptz", (e) => e.occurredAt.toISOString()],
        ["client_ip", "text", (e) => e.clientIp],
        ["event_id", "bigint", (e) => e.id.toString()],
      ])}
      LEFT JOIN LATERAL (
        SELECT x.id, x.occurred_at, x.reason, x.code FROM connection_events x
        WHERE x.device_id = u.device_id AND x.session_key = u.session_key AND x.kind = 'disconnected'
        ORDER BY ${FIRST_BY_TIME_WITHOUT_TIME_INDEX} LIMIT 1
      ) d ON true
      ON CONFLICT (device_id, session_key) DO NOTHING`);
  }
  if (disconnects.length > 0) {
    const firstPerSession = new Map<string, StoredEvent>();
    for (const e of disconnects)
      if (!firstPerSession.has(`${e.deviceId}\u0000${e.sessionKey}`)) firstPerSession.set(`${e.deviceId}\u0000${e.sessionKey}`, e);
    statements.push(Prisma.sql`
      UPDATE sessions s SET
        ended_at = u.ended_at, end_reason = u.reason::"Reason", end_code = u.code, end_event_id = u.event_id, end_inferred = false,
        duration_ms = ${DURATION_MS("u.ended_at", "s.started_at")}
      FROM ${unnestRows(
        [...firstPerSession.values()],
        [
          ["device_id", "text", (e) => e.deviceId],
          ["session_key", "text", (e) => e.sessionKey],
          ["ended_at", "timestamptz", (e) => e.occurredAt.toISOString()],
          ["reason", "text", (e) => e.reason],
          ["code", "text", (e) => e.code],
          ["event_id", "bigint", (e) => e.id.toString()],
        ],
      )}
      WHERE s.device_id = u.device_id AND s.session_key = u.session_key AND (s.ended_at IS NULL OR s.end_inferred)`);
  }
  return statements;
}

/**
 * Sources without a session key (Azure IoT Hub, EMQX 4.x, …) cannot tie a disconnect to its connect, so a late
 * event would land in the wrong session. Each affected device's sessions are rebuilt from its stored keyless
 * events, from the last session that began before the earliest new event on, in the source's order.
 */
export async function keylessSessionStatements(tx: Tx, events: StoredEvent[], silenced: ReadonlySet<bigint>): Promise<Prisma.Sql[]> {
  const since = new Map<string, Date>();
  for (const e of events) {
    if (e.sessionKey !== null || (e.kind !== "connected" && e.kind !== "disconnected")) continue;
    const seen = since.get(e.deviceId);
    if (!seen || e.occurredAt < seen) since.set(e.deviceId, e.occurredAt);
  }
  if (since.size === 0) return [];
  const windows = [...since.entries()];
  const stored = await tx.rows(
    "loadKeylessEvents",
    StoredKeylessEventSchema,
    Prisma.sql`
    SELECT e.id, e.device_id, e.kind::text AS kind, e.occurred_at, e.reason::text AS reason, e.code, e.client_ip, e.ordering, e.dedupe_key
    FROM ${unnestRows(windows, [
      ["device_id", "text", ([id]) => id],
      ["since", "timestamptz", ([, at]) => at.toISOString()],
    ])}
    CROSS JOIN LATERAL (
      SELECT COALESCE((SELECT max(s.started_at) FROM sessions s WHERE s.device_id = u.device_id AND s.started_at < u.since AND s.session_key LIKE 'event:%'), u.since) AS from_at
    ) w
    JOIN connection_events e ON e.device_id = u.device_id AND e.occurred_at >= w.from_at
    WHERE e.session_key IS NULL AND e.kind IN ('connected', 'disconnected') AND (e.echo_of IS NULL OR e.kind = 'disconnected')`,
  );
  const byDevice = new Map<string, KeylessEvent[]>();
  for (const row of stored) {
    // This batch's echoes of connects are marked in the statement after this one.
    if (silenced.has(BigInt(row.id))) continue;
    const list = byDevice.get(row.device_id) ?? [];
    list.push({
      id: BigInt(row.id),
      deviceId: row.device_id,
      kind: row.kind as KeylessEvent["kind"],
      occurredAt: row.occurred_at,
      reason: row.reason as Reason,
      code: row.code,
      clientIp: row.client_ip,
      ordering: row.ordering === null ? null : BigInt(row.ordering),
      dedupeKey: row.dedupe_key,
    });
    byDevice.set(row.device_id, list);
  }
  const sessions = [...byDevice.values()].flatMap((list) => foldKeylessSessions(list.sort(compareEvents)));
  if (sessions.length === 0) return [];
  return [
    Prisma.sql`
    INSERT INTO sessions (device_id, session_key, started_at, client_ip, start_event_id, ended_at, end_reason, end_code, end_event_id, end_inferred, duration_ms)
    SELECT u.device_id, u.session_key, u.started_at, u.client_ip, u.start_event_id, u.ended_at, u.end_reason::"Reason", u.end_code, u.end_event_id, u.end_inferred,
      CASE WHEN u.ended_at IS NULL THEN NULL ELSE ${DURATION_MS("u.ended_at", "u.started_at")} END
    FROM ${unnestRows(sessions, [
      ["device_id", "text", (r) => r.deviceId],
      ["session_key", "text", (r) => r.sessionKey],
      ["started_at", "timestamptz", (r) => r.startedAt.toISOString()],
      ["client_ip", "text", (r) => r.clientIp],
      ["start_event_id", "bigint", (r) => r.startEventId.toString()],
      ["ended_at", "timestamptz", (r) => isoOrNull(r.endedAt)],
      ["end_reason", "text", (r) => r.endReason],
      ["end_code", "text", (r) => r.endCode],
      ["end_event_id", "bigint", (r) => textOrNull(r.endEventId)],
      ["end_inferred", "boolean", (r) => r.endInferred],
    ])}
    ON CONFLICT (device_id, session_key) DO UPDATE SET
      ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason, end_code = EXCLUDED.end_code, end_event_id = EXCLUDED.end_event_id,
      end_inferred = EXCLUDED.end_inferred, duration_ms = EXCLUDED.duration_ms`,
  ];
}

/** A keyed session whose disconnect never arrived (yet) ends, inferred, where the device's next session begins. */
export async function closeSessionsSupersededByLaterConnects(tx: Tx, events: StoredEvent[]): Promise<void> {
  const devices = [...new Set(events.filter((e) => e.kind === "connected").map((e) => e.deviceId))];
  if (devices.length === 0) return;
  await tx.$executeRaw(Prisma.sql`
    UPDATE sessions s SET
      ended_at = x.next_start, end_reason = 'unknown', end_code = NULL, end_inferred = true,
      duration_ms = ${DURATION_MS("x.next_start", "s.started_at")}
    FROM (
      SELECT o.id, (SELECT MIN(n.started_at) FROM sessions n WHERE n.device_id = u.device_id AND n.started_at > o.started_at) AS next_start
      FROM unnest(${devices}::text[]) AS u(device_id)
      -- One probe of the device index per device (OFFSET 0: not flattened, so not joined to a scan of every open
      -- session, which stale statistics make look few); IS TRUE keeps the planner off the ended_at index. Decision 041.
      CROSS JOIN LATERAL (SELECT o.id, o.started_at FROM sessions o WHERE o.device_id = u.device_id AND (o.ended_at IS NULL) IS TRUE OFFSET 0) o
    ) x
    WHERE s.id = x.id AND x.next_start IS NOT NULL`);
}

/**
 * A disconnect without a session key ends the device's keyed session it falls in, when nothing else did: AWS's
 * CloudWatch log has no session key, so when the lifecycle topic lost a drop (QoS 0 on a rule) CloudWatch's record
 * drives it, and a Mosquitto log read from the middle has disconnects of connects it never saw. Without this the keyed
 * session stayed open on a device that is offline, or ended, inferred and reasonless, where the next one began.
 *
 * The session is the device's latest one that began at or before the disconnect, if it is keyed (a keyless one is the
 * keyless rebuild's) and is still open or ended only by inference at or after the disconnect. Of several disconnects
 * of one session, the earliest ends it.
 */
export async function endKeyedSessionsAtKeylessDisconnects(tx: Tx, driving: readonly StoredEvent[]): Promise<void> {
  const disconnects = driving.filter((event) => event.kind === "disconnected" && event.sessionKey === null);
  if (disconnects.length === 0) return;
  await tx.$executeRaw(Prisma.sql`
    UPDATE sessions s SET
      ended_at = x.ended_at, end_reason = x.reason::"Reason", end_code = x.code, end_event_id = x.event_id, end_inferred = false,
      duration_ms = ${DURATION_MS("x.ended_at", "s.started_at")}
    FROM (
      SELECT DISTINCT ON (latest.id) latest.id, u.ended_at, u.reason, u.code, u.event_id
      FROM ${unnestRows(disconnects, [
        ["device_id", "text", (e) => e.deviceId],
        ["ended_at", "timestamptz", (e) => e.occurredAt.toISOString()],
        ["reason", "text", (e) => e.reason],
        ["code", "text", (e) => e.code],
        ["event_id", "bigint", (e) => e.id.toString()],
      ])}
      CROSS JOIN LATERAL (
        SELECT o.id FROM sessions o WHERE o.device_id = u.device_id AND o.started_at <= u.ended_at ORDER BY o.started_at DESC LIMIT 1
      ) latest
      ORDER BY latest.id, u.ended_at
    ) x
    WHERE s.id = x.id AND s.session_key NOT LIKE 'event:%'
      AND (s.ended_at IS NULL OR (s.end_inferred AND s.ended_at >= x.ended_at))`);
}
