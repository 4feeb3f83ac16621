import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { readRetentionPolicy, type RetentionPolicy } from "./retention-policy.ts";
import { runRetentionPass } from "./run-retention-pass.ts";

/** The pass's own lease (run-retention-pass.ts) lasts as long: a crashed pass's lease and job run out together. */
export const RETENTION_PASS_EXPIRY_MS = 30 * 60_000;

/** Schedules the retention pass in the worker every RETENTION_INTERVAL_MS (0 turns it off), once per due time across processes. */
export async function startRetentionJob(
  jobs: JobQueue,
  db: Db,
  log: Logger,
  policy: RetentionPolicy = readRetentionPolicy(),
): Promise<PeriodicJob | null> {
  if (policy.intervalMs === 0) return null;
  return startPeriodicJob(
    jobs,
    log,
    "retention pass",
    { intervalMs: policy.intervalMs, expireAfterMs: RETENTION_PASS_EXPIRY_MS },
    async () => {
      await runRetentionPass(db, log, policy);
    },
  );
}
