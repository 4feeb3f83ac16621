import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import type { DipThresholds } from "./detect-connected-dips.ts";
import type { DetectionThresholds } from "./detect-incidents.ts";
import { runConnectedDipDetection, type ConnectedHistory } from "./record-connected-dips.ts";
import { runIncidentDetection } from "./record-incidents.ts";

export type IncidentDetectionJobOptions = {
  intervalMs: number;
  lookbackMs: number;
  thresholds: DetectionThresholds;
  /** Connected-device dips; without it only mass drops are detected. */
  dip?: DipThresholds | undefined;
};

/** A pass is one transaction of seconds at most; a crashed pass delays detection by this (plus pg-boss's maintenance). */
export const INCIDENT_DETECTION_EXPIRY_MS = 2 * 60_000;

/**
 * Runs the detectors every `intervalMs` (mass drops over the last `lookbackMs`, then connected-device dips), once per due
 * time across the ingest worker processes. Consecutive runs may land in different processes: each keeps the connected
 * counts of the runs it made (dips compare against those) and rebuilds what it lacks.
 */
export function startIncidentDetectionJob(jobs: JobQueue, db: Db, log: Logger, options: IncidentDetectionJobOptions): Promise<PeriodicJob> {
  const history: ConnectedHistory = new Map();
  const timing = { intervalMs: options.intervalMs, expireAfterMs: INCIDENT_DETECTION_EXPIRY_MS };
  return startPeriodicJob(jobs, log, "incident detection", timing, async () => {
    const now = new Date();
    const startedAt = Date.now();
    const run = await runIncidentDetection(db, {
      from: new Date(now.getTime() - options.lookbackMs),
      to: now,
      now,
      thresholds: options.thresholds,
    });
    const dips = options.dip
      ? await runConnectedDipDetection(db, { now, thresholds: options.dip, history })
      : { opened: 0, attached: 0, recovered: 0 };
    if (run.opened + run.extended + run.closed + dips.opened + dips.attached + dips.recovered > 0) {
      log.info({ ...run, dips, ms: Date.now() - startedAt }, "incident detection");
    }
  });
}
