import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { deliverDueNotifications } from "./deliver-due-notifications.ts";

/** Up to ten rounds of sends, each bounded by its channel's timeout; the rows' own 60 s lease hands them over sooner. */
export const ALERT_DELIVERY_EXPIRY_MS = 5 * 60_000;

/**
 * Sends due alert notifications every `intervalMs`, once per due time across worker processes (periodic-job.ts).
 * Rows are also claimed with SKIP LOCKED under a lease, so a notification whose sender died is taken over.
 */
export function startAlertDeliveryJob(jobs: JobQueue, db: Db, log: Logger, options: { intervalMs: number }): Promise<PeriodicJob> {
  const timing = { intervalMs: options.intervalMs, expireAfterMs: ALERT_DELIVERY_EXPIRY_MS };
  return startPeriodicJob(jobs, log, "alert delivery", timing, async () => {
    const startedAt = Date.now();
    // Drain what is due (in batches) before sleeping again.
    for (let round = 0; round < 10; round++) {
      const pass = await deliverDueNotifications(db, { log });
      if (pass.claimed > 0) log.info({ ...pass, ms: Date.now() - startedAt }, "alert delivery");
      if (pass.claimed < 20) break;
    }
  });
}
