import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";

/**
 * Sessions and per-minute rollups derived set-based from stored `connection_events`, as recordIngestBatch leaves them
 * once every event is stored: a session per keyed connect (the first stored one), closed by its earliest disconnect,
 * else ended (inferred) where the device's next session starts; event_rollup_minute (shard 0), device_drop_minute,
 * device_reason_minute and code_first_seen, with the hour and quarter-day rollups and device_reason_latest their triggers keep. Keyless sessions (sources without a session key) are rebuilt by the
 * writer in source order and are not derived here: a history with keyless connects is refused.
 */
export async function deriveIngestTables(db: Db): Promise<void> {
  const [keyless] = await queryRows(
    db,
    "countKeylessEvents",
    z.object({ n: z.number() }),
    Prisma.sql`SELECT COUNT(*)::int AS n FROM connection_events WHERE session_key IS NULL AND kind IN ('connected', 'disconnected')`,
  );
  if ((keyless?.n ?? 0) > 0) throw new Error("deriveIngestTables: keyless connects and disconnects are rebuilt by the writer only");

  await db.$executeRaw`
    WITH connects AS (
      SELECT DISTINCT ON (device_id, session_key) id, device_id, session_key, occurred_at, client_ip
      FROM connection_events WHERE kind = 'connected' AND session_key IS NOT NULL ORDER BY device_id, session_key, id
    ), disconnects AS (
      SELECT DISTINCT ON (device_id, session_key) id, device_id, session_key, occurred_at, reason, code
      FROM connection_events WHERE kind = 'disconnected' AND session_key IS NOT NULL ORDER BY device_id, session_key, occurred_at, id
    )
    INSERT INTO sessions (device_id, session_key, started_at, client_ip, start_event_id, ended_at, end_reason, end_code, end_event_id, end_inferred, duration_ms)
    SELECT c.device_id, c.session_key, c.occurred_at, c.client_ip, c.id, d.occurred_at, d.reason, d.code, d.id, false,
      CASE WHEN d.id IS NULL THEN NULL ELSE GREATEST(0, (EXTRACT(EPOCH FROM (d.occurred_at - c.occurred_at)) * 1000)::bigint) END
    FROM connects c LEFT JOIN disconnects d ON d.device_id = c.device_id AND d.session_key = c.session_key`;
  await db.$executeRaw`
    UPDATE sessions s SET
      ended_at = x.next_start, end_reason = 'unknown', end_code = NULL, end_inferred = true,
      duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (x.next_start - s.started_at)) * 1000)::bigint)
    FROM (
      SELECT id, ended_at, MIN(started_at) OVER (
        PARTITION BY device_id ORDER BY started_at RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE GROUP) AS next_start
      FROM sessions
    ) x
    WHERE s.id = x.id AND x.ended_at IS NULL AND x.next_start IS NOT NULL`;

  // The rollups' triggers off (session_replication_role = replica, superuser only): instead of a trigger call per
  // minute row, the hours and quarter days they keep are summed below in one pass each, inserted in key order.
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
      await tx.$executeRaw`
        INSERT INTO event_rollup_minute (bucket, kind, reason, code, count, shard)
        SELECT date_bin('1 minute', occurred_at, 'epoch'), kind, reason, COALESCE(code, ''), COUNT(*)::int, 0
        FROM connection_events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
      await tx.$executeRaw`
        INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
        SELECT date_bin('1 minute', occurred_at, 'epoch'), device_id, kind, reason, COALESCE(code, ''), source, COALESCE(broker_node, ''), COUNT(*)::int
        FROM connection_events WHERE kind IN ('disconnected', 'connect_failed') GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`;
      await tx.$executeRaw`
        INSERT INTO device_reason_latest (source, broker_node, device_id, last_bucket)
        SELECT source, broker_node, device_id, MAX(bucket) FROM device_reason_minute GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
      await deriveCoarseRollups(tx);
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
  await db.$executeRaw`
    INSERT INTO device_drop_minute (bucket, device_id, drops)
    SELECT date_bin('1 minute', occurred_at, 'epoch'), device_id, COUNT(*)::int
    FROM connection_events WHERE kind = 'disconnected' AND reason <> 'client_disconnect' GROUP BY 1, 2`;
  await db.$executeRaw`
    INSERT INTO code_first_seen (code, first_seen_at, first_device_id)
    SELECT DISTINCT ON (code) code, occurred_at, device_id
    FROM connection_events WHERE kind IN ('disconnected', 'connect_failed') AND code IS NOT NULL ORDER BY code, occurred_at, device_id`;
}

/**
 * What the triggers on event_rollup_minute, device_reason_minute and devices keep (decisions 038, 044, 046), summed from
 * the minute rows and the devices' metadata now: hours from minutes, quarter days from hours.
 */
async function deriveCoarseRollups(db: Pick<Db, "$executeRaw">): Promise<void> {
  await db.$executeRaw`
    INSERT INTO event_rollup_hour (bucket, kind, reason, code, count, shard)
    SELECT date_bin('1 hour', bucket, 'epoch'), kind, reason, code, SUM(count)::int, shard
    FROM event_rollup_minute GROUP BY 1, 2, 3, 4, 6 ORDER BY 1, 2, 3, 4, 6`;
  await db.$executeRaw`
    INSERT INTO event_rollup_quarter_day (bucket, kind, reason, code, count, shard)
    SELECT date_bin('6 hours', bucket, 'epoch'), kind, reason, code, SUM(count)::int, shard
    FROM event_rollup_hour GROUP BY 1, 2, 3, 4, 6 ORDER BY 1, 2, 3, 4, 6`;
  await db.$executeRaw`
    INSERT INTO fleet_reason_hour (dimension, value, bucket, source, broker_node, kind, reason, code, count)
    SELECT k.dimension, k.value, date_bin('1 hour', r.bucket, 'epoch'), r.source, r.broker_node, r.kind, r.reason, r.code, SUM(r.count)::int
    FROM device_reason_minute r
    LEFT JOIN devices d ON d.id = r.device_id
    CROSS JOIN LATERAL linkscope_device_dimensions(d.firmware, d.region, d.network, d.labels) k
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`;
  await db.$executeRaw`
    INSERT INTO fleet_reason_quarter_day (dimension, value, bucket, source, broker_node, kind, reason, code, count)
    SELECT dimension, value, date_bin('6 hours', bucket, 'epoch'), source, broker_node, kind, reason, code, SUM(count)::int
    FROM fleet_reason_hour GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`;
}
