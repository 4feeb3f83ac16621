import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";

export type AlertEvaluationJobOptions = { intervalMs: number; publicBaseUrl: string };

/** Evaluates the alert rules every `intervalMs` in the ingest worker process, one run at a time. */
export function startAlertEvaluationJob(db: Db, log: Logger, options: AlertEvaluationJobOptions): { stop(): Promise<void> } {
  return startPeriodicJob(db, log, "alert evaluation", options.intervalMs, async () => {
    const startedAt = Date.now();
    const run = await evaluateAlertRules(db, { now: new Date(), publicBaseUrl: options.publicBaseUrl, log });
    if (run.fired + run.resolved > 0) log.info({ ...run, ms: Date.now() - startedAt }, "alert evaluation");
  });
}
