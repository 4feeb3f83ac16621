import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { foldCohortHours } from "./fold-cohort-hours.ts";

/** How often the worker folds new rollups into the cohort-hour rollups (cohort pages are at most this stale). */
export const COHORT_FOLD_INTERVAL_MS = 30_000;

/**
 * A first fold over a long history can take many minutes; a second run meanwhile would only find the advisory lock
 * taken and skip, so the expiry only bounds how long a crashed fold delays the next one.
 */
export const COHORT_FOLD_EXPIRY_MS = 30 * 60_000;

/**
 * Folds the cohort-hour rollups in the worker process, once per due time across processes (periodic-job.ts). The fold
 * also takes an advisory lock, against a web process folding on read (ensure-cohorts-folded.ts).
 */
export function startCohortFoldJob(jobs: JobQueue, db: Db, log: Logger, intervalMs = COHORT_FOLD_INTERVAL_MS): Promise<PeriodicJob> {
  return startPeriodicJob(jobs, log, "cohort fold", { intervalMs, expireAfterMs: COHORT_FOLD_EXPIRY_MS }, async () => {
    const startedAt = Date.now();
    const result = await foldCohortHours(db, { skipIfBusy: true });
    if (result.folded) log.info({ from: result.from, to: result.to, ms: Date.now() - startedAt }, "cohort fold");
  });
}
