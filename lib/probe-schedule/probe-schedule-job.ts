import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import type { ProbeRunner } from "@/lib/probe/probe-report.ts";
import { pruneProbeRuns } from "./prune-probe-runs.ts";
import { runDueProbes } from "./run-due-probes.ts";

export type ProbeScheduleJobOptions = {
  probe: ProbeRunner;
  tickMs: number;
  runTimeoutMs: number;
  retentionDays: number;
  /** Endpoints one tick of one process probes at most. */
  maxRunsPerTick?: number;
};

/** Probes the due endpoints every `tickMs` in the ingest worker process and keeps the runs within the retention. */
export function startProbeScheduleJob(db: Db, log: Logger, options: ProbeScheduleJobOptions): { stop(): Promise<void> } {
  return startPeriodicJob(db, log, "scheduled probes", options.tickMs, async () => {
    const startedAt = Date.now();
    const pruned = await pruneProbeRuns(db, { now: new Date(), retentionDays: options.retentionDays });
    const run = await runDueProbes(db, {
      probe: options.probe,
      now: new Date(),
      runTimeoutMs: options.runTimeoutMs,
      maxRuns: options.maxRunsPerTick ?? 10,
    });
    if (run.runs + run.discarded + pruned > 0) log.info({ ...run, pruned, ms: Date.now() - startedAt }, "scheduled probes");
  });
}
