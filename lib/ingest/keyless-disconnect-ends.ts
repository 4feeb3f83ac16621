import { Prisma } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { DURATION_MS } from "./session-duration-sql.ts";
import { unnestRows } from "./unnest-rows.ts";
import type { WriterTx } from "./writer-transaction.ts";

type StoredEvent = ConnectionEvent & { id: bigint };

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
export async function endKeyedSessionsAtKeylessDisconnects(tx: WriterTx, driving: readonly StoredEvent[]): Promise<void> {
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
