import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { foldCohortHours } from "./fold-cohort-hours.ts";

/** How often the worker folds new rollups into the cohort-hour rollups (cohort pages are at most this stale). */
export const COHORT_FOLD_INTERVAL_MS = 30_000;

/**
 * Folds the cohort-hour rollups in the worker process, one process per due time (periodic-job.ts). The fold also
 * takes an advisory lock, against a web process folding on read (ensure-cohorts-folded.ts).
 */
export function startCohortFoldJob(db: Db, log: Logger, intervalMs = COHORT_FOLD_INTERVAL_MS): { stop(): Promise<void> } {
  return startPeriodicJob(db, log, "cohort fold", intervalMs, async () => {
    const startedAt = Date.now();
    const result = await foldCohortHours(db, { skipIfBusy: true });
    if (result.folded) log.info({ from: result.from, to: result.to, ms: Date.now() - startedAt }, "cohort fold");
  });
}
