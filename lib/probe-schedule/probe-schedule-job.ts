import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
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

/**
 * A tick's probes run side by side, each bounded by `runTimeoutMs`: a tick lasts about one bound, given a minute more
 * (and two minutes at least) before it counts as lost.
 */
export function probeScheduleExpiryMs(runTimeoutMs: number): number {
  return Math.max(2 * 60_000, runTimeoutMs + 60_000);
}

/** Probes the due endpoints every `tickMs`, once per tick across worker processes, and keeps the runs within the retention. */
export function startProbeScheduleJob(jobs: JobQueue, db: Db, log: Logger, options: ProbeScheduleJobOptions): Promise<PeriodicJob> {
  const timing = { intervalMs: options.tickMs, expireAfterMs: probeScheduleExpiryMs(options.runTimeoutMs) };
  return startPeriodicJob(jobs, log, "scheduled probes", timing, async () => {
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
