import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { deliverDueNotifications } from "./deliver-due-notifications.ts";

/**
 * Sends due alert notifications every `intervalMs` in the worker process; one process per due time (periodic-job.ts).
 * Rows are also claimed with SKIP LOCKED under a lease, so a notification whose sender died is taken over.
 */
export function startAlertDeliveryJob(db: Db, log: Logger, options: { intervalMs: number }): { stop(): Promise<void> } {
  return startPeriodicJob(db, log, "alert delivery", options.intervalMs, async () => {
    const startedAt = Date.now();
    // Drain what is due (in batches) before sleeping again.
    for (let round = 0; round < 10; round++) {
      const pass = await deliverDueNotifications(db, { log });
      if (pass.claimed > 0) log.info({ ...pass, ms: Date.now() - startedAt }, "alert delivery");
      if (pass.claimed < 20) break;
    }
  });
}
