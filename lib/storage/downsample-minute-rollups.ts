import { Prisma, type Db } from "@/lib/db/client.ts";
import { readRetentionProgress, recordRetentionProgress } from "./retention-progress.ts";
import { startOfUtcMonth } from "./time-partitions.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Days folded per run at most, so a first run over a long history never holds one long transaction. */
const MAX_DAYS_PER_RUN = 14;

export type DownsampleResult = { from: Date | null; until: Date | null; foldedRows: number };

/**
 * Folds the minute rows of the rollups (event_rollup_minute, device_reason_minute, fleet_connected_minute) older
 * than `horizon` into one row per hour, in place: the bucket then starts the hour, in shard 0 (decision 034). Sums over any hour-aligned range
 * are unchanged, so every reader keeps working and simply sees hourly resolution for old ranges (decision 026).
 * Works day by day from where the last run stopped; each day is one transaction.
 */
export async function downsampleMinuteRollups(db: Db, horizon: Date): Promise<DownsampleResult> {
  const end = new Date(Math.floor(horizon.getTime() / HOUR) * HOUR);
  const start = (await readRetentionProgress(db, "downsample_minute_rollups")) ?? (await oldestMinuteBucket(db));
  if (!start || start.getTime() >= end.getTime()) return { from: null, until: null, foldedRows: 0 };

  let foldedRows = 0;
  let dayStart = new Date(Math.floor(start.getTime() / HOUR) * HOUR);
  for (let day = 0; day < MAX_DAYS_PER_RUN && dayStart.getTime() < end.getTime(); day++) {
    const dayEnd = new Date(Math.min(dayStart.getTime() + DAY, end.getTime()));
    foldedRows += await foldDay(db, dayStart, dayEnd);
    await recordRetentionProgress(db, "downsample_minute_rollups", dayEnd);
    dayStart = dayEnd;
  }
  return { from: start, until: dayStart, foldedRows };
}

async function oldestMinuteBucket(db: Db): Promise<Date | null> {
  const rows = await queryRows(
    db,
    "oldestMinuteBucket",
    z.object({ oldest: SqlDate.nullable() }),
    Prisma.sql`
    SELECT LEAST((SELECT MIN(bucket) FROM event_rollup_minute), (SELECT MIN(bucket) FROM device_reason_minute),
                 (SELECT MIN(bucket) FROM fleet_connected_minute)) AS oldest`,
  );
  return rows[0]?.oldest ?? null;
}

/** Moves the rows of [from, to) that do not start an hour into the row of their hour, adding counts; one transaction. */
async function foldDay(db: Db, from: Date, to: Date): Promise<number> {
  const [events, devices, gauge] = await db.$transaction([
    db.$executeRaw`
      WITH moved AS (
        DELETE FROM event_rollup_minute
        WHERE bucket >= ${from} AND bucket < ${to} AND (bucket <> date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') OR shard <> 0)
        RETURNING bucket, kind, reason, code, count)
      INSERT INTO event_rollup_minute (bucket, kind, reason, code, count)
      SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), kind, reason, code, SUM(count)::int FROM moved GROUP BY 1, 2, 3, 4
      ON CONFLICT (bucket, kind, reason, code, shard) DO UPDATE SET count = event_rollup_minute.count + EXCLUDED.count`,
    db.$executeRaw`
      WITH moved AS (
        DELETE FROM device_reason_minute
        WHERE bucket >= ${from} AND bucket < ${to} AND bucket <> date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00')
        RETURNING bucket, device_id, kind, reason, code, source, broker_node, count)
      INSERT INTO device_reason_minute (bucket, device_id, kind, reason, code, source, broker_node, count)
      SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), device_id, kind, reason, code, source, broker_node, SUM(count)::int
      FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (bucket, device_id, kind, reason, code, source, broker_node) DO UPDATE SET count = device_reason_minute.count + EXCLUDED.count`,
    db.$executeRaw`
      WITH moved AS (
        DELETE FROM fleet_connected_minute
        WHERE bucket >= ${from} AND bucket < ${to} AND (bucket <> date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') OR shard <> 0)
        RETURNING bucket, source, broker_node, delta)
      INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta)
      SELECT date_bin(interval '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00'), source, broker_node, SUM(delta)::int FROM moved GROUP BY 1, 2, 3
      ON CONFLICT (bucket, source, broker_node, shard) DO UPDATE SET delta = fleet_connected_minute.delta + EXCLUDED.delta`,
  ]);
  return events + devices + gauge;
}

/**
 * Past the hourly retention: event rollups are deleted (device_reason_minute goes with its month partitions, and the
 * hours and quarter days of fleet_reason_hour / _quarter_day of those months with it: a dropped partition fires no
 * trigger, and a month starts on a quarter day; device_reason_latest is recounted for the devices whose newest row went)
 * and the gauge's deltas are folded into one row per source / node just
 * before the cutoff, so SUM(delta) still equals the devices online (decision 009's invariant) while the table stays bounded.
 */
export async function expireHourlyRollups(db: Db, cutoff: Date): Promise<{ deleted: number; folded: number }> {
  const anchor = new Date(Math.floor(cutoff.getTime() / HOUR) * HOUR - HOUR);
  const [deleted, deletedReasonHours, deletedReasonQuarterDays, folded] = await db.$transaction([
    db.$executeRaw`DELETE FROM event_rollup_minute WHERE bucket < ${cutoff}`,
    db.$executeRaw`DELETE FROM fleet_reason_hour WHERE bucket < ${startOfUtcMonth(cutoff)}`,
    db.$executeRaw`DELETE FROM fleet_reason_quarter_day WHERE bucket < ${startOfUtcMonth(cutoff)}`,
    db.$executeRaw`
      WITH moved AS (DELETE FROM fleet_connected_minute WHERE bucket < ${cutoff} AND (bucket <> ${anchor} OR shard <> 0) RETURNING source, broker_node, delta)
      INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta)
      SELECT ${anchor}::timestamptz, source, broker_node, SUM(delta)::int FROM moved GROUP BY 2, 3
      ON CONFLICT (bucket, source, broker_node, shard) DO UPDATE SET delta = fleet_connected_minute.delta + EXCLUDED.delta`,
    // Devices whose newest minute row went with a dropped month (or the default partition's old rows) are recounted.
    db.$executeRaw`
      SELECT linkscope_recount_device_reason_latest(ARRAY(
        SELECT l FROM device_reason_latest l
        WHERE l.last_bucket < ${cutoff} AND NOT EXISTS (
          SELECT 1 FROM device_reason_minute r
          WHERE r.bucket = l.last_bucket AND r.device_id = l.device_id AND r.source = l.source AND r.broker_node = l.broker_node)))`,
  ]);
  return { deleted: deleted + deletedReasonHours + deletedReasonQuarterDays, folded };
}
