import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { analyzeWithoutAutovacuum } from "./analyze-without-autovacuum.ts";

/** How often the worker refreshes stale statistics where no autovacuum runs (decision 064). */
export const STATISTICS_INTERVAL_MS = 5 * 60_000;

/** An ANALYZE pass takes seconds even over a large database (it samples); a crashed one delays the next by this. */
export const STATISTICS_EXPIRY_MS = 10 * 60_000;

/**
 * ANALYZEs stale tables in the worker every `intervalMs`, once per due time across processes (periodic-job.ts), where
 * no autovacuum runs (the embedded database, a server with it off); with autovacuum each run returns at once. Between
 * two runs a month partition analyzed before its first rows committed is estimated empty (decisions 063, 064).
 */
export function startStatisticsJob(jobs: JobQueue, db: Db, log: Logger, intervalMs = STATISTICS_INTERVAL_MS): Promise<PeriodicJob> {
  return startPeriodicJob(jobs, log, "statistics", { intervalMs, expireAfterMs: STATISTICS_EXPIRY_MS }, async () => {
    const startedAt = Date.now();
    const analyzed = await analyzeWithoutAutovacuum(db);
    if (analyzed.length > 0) log.info({ tables: analyzed.length, ms: Date.now() - startedAt }, "statistics refreshed");
  });
}
