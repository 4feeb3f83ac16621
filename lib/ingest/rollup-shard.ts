import { Prisma } from "@/lib/db/client.ts";

/**
 * Fleet-wide minute rows (event_rollup_minute, fleet_connected_minute, ingest_source_minute) are added to by every
 * writer; one row per minute would make concurrent writer transactions wait on each other's row lock until commit.
 * Each transaction instead adds to the lowest shard no other open transaction holds (a transaction-scoped advisory
 * lock per shard), so writers never share a row and a single writer always uses shard 0. Readers sum over shards.
 * Decision 034.
 */
export const ROLLUP_SHARDS = 16;

/** Lock class of the shard locks (two-int advisory keys, apart from the single-bigint keys used elsewhere). */
export const SHARD_LOCK_CLASS = 0x4c530034;

/**
 * The shard this transaction writes to, as a scalar SQL expression; evaluated once per statement, and again in the
 * same transaction it returns the same shard (advisory locks are re-entrant). With every shard held (more than
 * ROLLUP_SHARDS concurrent writers) it falls back to 0 and waits on its row locks as before.
 */
export const rollupShardSql = Prisma.sql`(SELECT COALESCE((
  SELECT s FROM generate_series(0, ${Prisma.raw(String(ROLLUP_SHARDS - 1))}) s
  WHERE pg_try_advisory_xact_lock(${Prisma.raw(String(SHARD_LOCK_CLASS))}, s) LIMIT 1), 0)::smallint)`;
