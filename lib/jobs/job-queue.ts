import os from "node:os";
import PgBoss from "pg-boss";
import type pg from "pg";
import { getPgPool, type Db } from "@/lib/db/client.ts";
import { isDatabaseUnavailable } from "@/lib/db/database-unavailable.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { computeBackoffDelay, sleep } from "@/lib/time/backoff.ts";

/**
 * Finished jobs stay in `pgboss.job` this long before pg-boss archives them. It must be at least the longest period of
 * a periodic job (RETENTION_INTERVAL_MS allows a day): a due time is one row per queue and time slot, unique only while
 * the row is in `pgboss.job`, so a row archived inside its slot would let another process run that slot again.
 */
const FINISHED_JOBS_KEPT_SECONDS = 86_400;
/** Archived jobs are deleted after this many days: with the default intervals, about 63,000 jobs a day in all. */
const ARCHIVED_JOBS_KEPT_DAYS = 1;
/** pg-boss's default. */
const DEFAULT_MAINTENANCE_INTERVAL_MS = 60_000;
/** Between attempts to create a queue that met a deadlock or an outage. */
const QUEUE_CREATION_BACKOFF = { baseMs: 100, maxMs: 10_000 };

/** The Postgres-backed job queue of a worker process (pg-boss, decision 027): its `pgboss` schema in the app database. */
export type JobQueue = {
  readonly boss: PgBoss;
  /** `host:pid`, stored with every run this process completes. */
  readonly runner: string;
  /** A bound on every periodic job's own expiry (`JOB_MAX_EXPIRY_MS`). */
  readonly maxExpireAfterMs: number | undefined;
  /**
   * Creates the queue if it does not exist and gives it `options` (a queue made by an earlier version keeps none of
   * its old ones). pg-boss makes each queue a partition of its job table with foreign keys to its queue table, and two
   * processes creating queues at the same moment deadlock there: such attempts, and outages, are retried.
   */
  ensureQueue(name: string, options: PgBoss.Queue): Promise<void>;
  /** Waits for runs in progress (up to pg-boss's 30 s), then stops polling and maintenance; the pool stays open. */
  stop(): Promise<void>;
};

export type JobQueueOptions = {
  /** How often one process fails runs past their expiry (so they run again) and archives; tests make it a second. */
  maintenanceIntervalMs?: number | undefined;
  maxExpireAfterMs?: number | undefined;
};

/**
 * Starts pg-boss on the pool of `db` (no connections of its own, so the embedded database's limit holds). The first
 * start on a database creates the `pgboss` schema with pg-boss's own migration, under its advisory lock; later
 * versions of pg-boss migrate it the same way.
 */
export async function startJobQueue(db: Db, log: Logger, options: JobQueueOptions = {}): Promise<JobQueue> {
  const boss = new PgBoss({
    db: poolExecutor(getPgPool(db)),
    // Periods are time slots of our own offers (periodic-job.ts): pg-boss's cron is minute-grained.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: Math.max(1, Math.round((options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS) / 1000)),
    archiveCompletedAfterSeconds: FINISHED_JOBS_KEPT_SECONDS,
    deleteAfterDays: ARCHIVED_JOBS_KEPT_DAYS,
  });
  boss.on("error", (error) => log.error({ err: error }, "job queue error"));
  await boss.start();
  return {
    boss,
    runner: `${os.hostname()}:${process.pid}`,
    maxExpireAfterMs: options.maxExpireAfterMs,
    async ensureQueue(name, queueOptions) {
      for (let attempt = 0; ; attempt++) {
        try {
          await boss.createQueue(name, queueOptions);
          await boss.updateQueue(name, queueOptions);
          return;
        } catch (error) {
          if (!isDatabaseUnavailable(error)) throw error;
          const delayMs = computeBackoffDelay(attempt, QUEUE_CREATION_BACKOFF);
          log.warn({ err: (error as Error).message, queue: name, attempt, delayMs }, "job queue not created yet; will retry");
          await sleep(delayMs);
        }
      }
    },
    stop: () => boss.stop({ graceful: true, wait: true }),
  };
}

/** pg-boss's `db` option: its statements on our pool. */
function poolExecutor(pool: pg.Pool): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await client.query(text, values);
      } catch (error) {
        // Schema creation and maintenance come as one "BEGIN; …; COMMIT" string: after an error the transaction is
        // still open, and the connection would go back to the pool the writer shares in that state.
        if (text.trimStart().startsWith("BEGIN")) {
          await client.query("ROLLBACK").catch((rollbackError: unknown) => {
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          });
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}
