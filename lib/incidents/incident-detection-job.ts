import type { Db } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import type { DetectionThresholds } from "./detect-incidents.ts";
import { runIncidentDetection } from "./record-incidents.ts";

export type IncidentDetectionJobOptions = { intervalMs: number; lookbackMs: number; thresholds: DetectionThresholds };

/** Runs the detector every `intervalMs` over the last `lookbackMs`, in the ingest worker process. */
export function startIncidentDetectionJob(db: Db, log: Logger, options: IncidentDetectionJobOptions): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    const now = new Date();
    const startedAt = Date.now();
    running = runIncidentDetection(db, { from: new Date(now.getTime() - options.lookbackMs), to: now, now, thresholds: options.thresholds })
      .then((run) => {
        if (run.opened + run.extended + run.closed > 0) log.info({ ...run, ms: Date.now() - startedAt }, "incident detection");
      })
      .catch((error: unknown) => log.error({ err: error }, "incident detection failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
