import type { Db } from "@/lib/db/client.ts";
import { ADD_TO_SOURCE_MINUTE } from "@/lib/ingest/source-stats.ts";

/**
 * Moves the shards of fleet-wide minute rows older than `before` into shard 0 (decision 034): writers only add to
 * recent minutes, so past minutes need one row again, and readers scanning a month read no more rows than before
 * sharding. Idempotent; one transaction.
 */
export async function mergeRollupShards(db: Db, before: Date): Promise<number> {
  const [events, gauge, sources] = await db.$transaction([
    db.$executeRaw`
      WITH moved AS (DELETE FROM event_rollup_minute WHERE shard <> 0 AND bucket < ${before} RETURNING bucket, kind, reason, code, count)
      INSERT INTO event_rollup_minute (bucket, kind, reason, code, count)
      SELECT bucket, kind, reason, code, SUM(count)::int FROM moved GROUP BY 1, 2, 3, 4
      ON CONFLICT (bucket, kind, reason, code, shard) DO UPDATE SET count = event_rollup_minute.count + EXCLUDED.count`,
    db.$executeRaw`
      WITH moved AS (DELETE FROM fleet_connected_minute WHERE shard <> 0 AND bucket < ${before} RETURNING bucket, source, broker_node, delta)
      INSERT INTO fleet_connected_minute (bucket, source, broker_node, delta)
      SELECT bucket, source, broker_node, SUM(delta)::int FROM moved GROUP BY 1, 2, 3
      ON CONFLICT (bucket, source, broker_node, shard) DO UPDATE SET delta = fleet_connected_minute.delta + EXCLUDED.delta`,
    db.$executeRaw`
      WITH moved AS (
        DELETE FROM ingest_source_minute WHERE shard <> 0 AND bucket < ${before}
        RETURNING bucket, source, received, inserted, duplicates, dead_letters, out_of_order, lag_samples, lag_ms_sum, lag_ms_max, last_occurred_at)
      INSERT INTO ingest_source_minute (bucket, source, received, inserted, duplicates, dead_letters, out_of_order, lag_samples, lag_ms_sum, lag_ms_max, last_occurred_at)
      SELECT bucket, source, SUM(received)::int, SUM(inserted)::int, SUM(duplicates)::int, SUM(dead_letters)::int, SUM(out_of_order)::int,
             SUM(lag_samples)::int, SUM(lag_ms_sum)::bigint, MAX(lag_ms_max), MAX(last_occurred_at)
      FROM moved GROUP BY 1, 2
      ON CONFLICT (bucket, source, shard) DO UPDATE SET ${ADD_TO_SOURCE_MINUTE}`,
  ]);
  return events + gauge + sources;
}
