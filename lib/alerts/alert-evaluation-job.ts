import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";

export type AlertEvaluationJobOptions = { intervalMs: number; publicBaseUrl: string };

/** A pass measures from rollups and writes in one short transaction; a crashed pass delays evaluation by this. */
export const ALERT_EVALUATION_EXPIRY_MS = 2 * 60_000;

/** Evaluates the alert rules every `intervalMs`, once per due time across the ingest worker processes, one run at a time. */
export function startAlertEvaluationJob(jobs: JobQueue, db: Db, log: Logger, options: AlertEvaluationJobOptions): Promise<PeriodicJob> {
  const timing = { intervalMs: options.intervalMs, expireAfterMs: ALERT_EVALUATION_EXPIRY_MS };
  return startPeriodicJob(jobs, log, "alert evaluation", timing, async () => {
    const startedAt = Date.now();
    const run = await evaluateAlertRules(db, { now: new Date(), publicBaseUrl: options.publicBaseUrl, log });
    if (run.fired + run.resolved > 0) log.info({ ...run, ms: Date.now() - startedAt }, "alert evaluation");
  });
}
