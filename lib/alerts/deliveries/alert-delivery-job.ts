import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { deliverDueNotifications } from "./deliver-due-notifications.ts";

/**
 * Sends due alert notifications every `intervalMs` in the worker process. Every worker process may run it: rows are
 * claimed with SKIP LOCKED under a lease, so each is sent by one of them and taken over if its claimer dies.
 */
export function startAlertDeliveryJob(db: Db, log: Logger, options: { intervalMs: number }): { stop(): Promise<void> } {
  return startPeriodicJob(log, "alert delivery", options.intervalMs, async () => {
    const startedAt = Date.now();
    // Drain what is due (in batches) before sleeping again.
    for (let round = 0; round < 10; round++) {
      const pass = await deliverDueNotifications(db, { log });
      if (pass.claimed > 0) log.info({ ...pass, ms: Date.now() - startedAt }, "alert delivery");
      if (pass.claimed < 20) break;
    }
  });
}
