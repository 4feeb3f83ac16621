import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
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

/** Runs the detectors every `intervalMs` (mass drops over the last `lookbackMs`, then connected-device dips), in the ingest worker process. */
export function startIncidentDetectionJob(db: Db, log: Logger, options: IncidentDetectionJobOptions): { stop(): Promise<void> } {
  const history: ConnectedHistory = new Map();
  return startPeriodicJob(db, log, "incident detection", options.intervalMs, async () => {
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
