import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { readRetentionPolicy, type RetentionPolicy } from "./retention-policy.ts";
import { runRetentionPass } from "./run-retention-pass.ts";

/** Schedules the retention pass in the worker every RETENTION_INTERVAL_MS (0 turns it off). */
export function startRetentionJob(db: Db, log: Logger, policy: RetentionPolicy = readRetentionPolicy()): { stop(): Promise<void> } | null {
  if (policy.intervalMs === 0) return null;
  return startPeriodicJob(db, log, "retention pass", policy.intervalMs, async () => {
    await runRetentionPass(db, log, policy);
  });
}
