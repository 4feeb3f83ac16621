import type { Logger } from "@/lib/log/logger.ts";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { deleteSnapshotsBefore, refreshConnectedSnapshots } from "./connected-snapshots.ts";
import { downsampleMinuteRollups, expireHourlyRollups } from "./downsample-minute-rollups.ts";
import { expireRecords, NOTHING_EXPIRED, type ExpiredRecords } from "./expire-records.ts";
import { mergeRollupShards } from "./merge-rollup-shards.ts";
import type { RetentionPolicy } from "./retention-policy.ts";
import { dropMonthPartitionsBefore, ensureMonthPartitions, PARTITIONED_TABLES } from "./time-partitions.ts";
import { trimRawPayloads } from "./trim-raw-payloads.ts";
import { analyzeWithoutAutovacuum } from "./analyze-without-autovacuum.ts";
import { z } from "zod";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";

const DAY = 86_400_000;
/** Minutes older than this no longer receive live writes: their shards are merged (decision 034). */
const SHARD_MERGE_AGE_MS = 10 * 60_000;
/** The pass's lease (and its job's expiry, retention-job.ts). */
const PASS_LEASE_MS = 30 * 60_000;
/** Expiry stops starting new chunks this long after the pass began, well inside its lease; the next pass continues. */
const EXPIRY_BUDGET_MS = 10 * 60_000;

export type RetentionPassResult = {
  ran: boolean;
  partitionsCreated: string[];
  partitionsDropped: string[];
  rawPayloadsTrimmed: number;
  rollupRowsFolded: number;
  snapshotsWritten: number;
  expired: ExpiredRecords;
  tablesAnalyzed: number;
};

/**
 * One retention and maintenance pass (decision 026): month partitions created ahead, expired months dropped
 * (never a row-by-row DELETE of events), raw payloads trimmed, minute rollups' shards merged and folded into hours, the gauge's hourly
 * snapshots refreshed, every other growing table's rows past their periods deleted (expire-records.ts), and where no autovacuum
 * runs (the embedded database) stale tables analyzed. Each step is
 * bounded and idempotent; a lease row keeps two processes from running it at once (the other skips its turn).
 */
export async function runRetentionPass(db: Db, log: Logger, policy: RetentionPolicy, now: Date = new Date()): Promise<RetentionPassResult> {
  const started = Date.now();
  const result = await withPassLock(db, async () => {
    const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
    const eventCutoff = daysAgo(policy.eventDays);
    const hourlyCutoff = daysAgo(policy.hourlyRollupDays);

    const partitionsCreated: string[] = [];
    const partitionsDropped: string[] = [];
    for (const { table, keptFor } of PARTITIONED_TABLES) {
      const cutoff = keptFor === "events" ? eventCutoff : hourlyCutoff;
      partitionsCreated.push(...(await ensureMonthPartitions(db, table, now, cutoff)));
      partitionsDropped.push(...(await dropMonthPartitionsBefore(db, table, cutoff)));
    }

    const trim = await trimRawPayloads(db, daysAgo(policy.rawPayloadDays));
    const merged = await mergeRollupShards(db, new Date(now.getTime() - SHARD_MERGE_AGE_MS));
    const downsample = await downsampleMinuteRollups(db, daysAgo(policy.minuteRollupDays));
    const expiredRollups = await expireHourlyRollups(db, hourlyCutoff);
    await deleteSnapshotsBefore(db, hourlyCutoff);
    const snapshots = await refreshConnectedSnapshots(db, now);
    const expired = await expireRecords(db, policy, now, started + EXPIRY_BUDGET_MS);
    const analyzed = await analyzeWithoutAutovacuum(db);
    return {
      ran: true,
      partitionsCreated,
      partitionsDropped,
      rawPayloadsTrimmed: trim.trimmed,
      rollupRowsFolded: merged + downsample.foldedRows + expiredRollups.folded + expiredRollups.deleted,
      snapshotsWritten: snapshots.written,
      expired,
      tablesAnalyzed: analyzed.length,
    };
  });
  const outcome = result ?? {
    ran: false,
    partitionsCreated: [],
    partitionsDropped: [],
    rawPayloadsTrimmed: 0,
    rollupRowsFolded: 0,
    snapshotsWritten: 0,
    expired: NOTHING_EXPIRED,
    tablesAnalyzed: 0,
  };
  log.info(
    { ...outcome, durationMs: Date.now() - started },
    outcome.ran ? "retention pass" : "retention pass skipped: another process runs it",
  );
  return outcome;
}

/**
 * Runs `fn` while holding the pass's lease (a retention_progress row whose done_until is the lease's end), or returns
 * null when another process holds it. A lease rather than an advisory lock: the steps run on the pool in their own
 * short transactions (a long one would stall the embedded database, whose advisory locks exclude nothing), and a
 * crashed holder's lease simply runs out. The release names the lease's end, so a pass that outlived its lease never
 * ends the lease of the process that took over.
 */
async function withPassLock<T>(db: Db, fn: () => Promise<T>): Promise<T | null> {
  const claim = await queryRows(
    db,
    "claimRetentionPass",
    z.object({ until: SqlDate }),
    Prisma.sql`
    INSERT INTO retention_progress (task, done_until, updated_at)
    VALUES ('pass_lease', now() + ${`${PASS_LEASE_MS} milliseconds`}::interval, now())
    ON CONFLICT (task) DO UPDATE SET done_until = EXCLUDED.done_until, updated_at = now()
      WHERE retention_progress.done_until < now()
    RETURNING done_until AS until`,
  );
  const lease = claim[0];
  if (!lease) return null;
  try {
    return await fn();
  } finally {
    await db.$executeRaw`
      UPDATE retention_progress SET done_until = now(), updated_at = now() WHERE task = 'pass_lease' AND done_until = ${lease.until}`;
  }
}
