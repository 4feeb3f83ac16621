import type { Db } from "@/lib/db/client.ts";
import type { JobQueue } from "@/lib/jobs/job-queue.ts";
import { startPeriodicJob, type PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { resumeUploadedImports, type ResumeUploadedImportsOptions } from "./resume-uploaded-imports.ts";

/** How often the worker looks for uploaded imports whose process died (decision 053). */
export const IMPORT_RESUME_INTERVAL_MS = 30_000;

/**
 * Shorter than an import may take: the run's heartbeat, not this job, keeps two processes from importing one file, so
 * past the expiry the next turns go on (and find the run alive); a crashed turn only delays resuming by this.
 */
export const IMPORT_RESUME_EXPIRY_MS = 5 * 60_000;

/**
 * Resumes uploaded imports in the worker, once per due time across processes (periodic-job.ts). A long import keeps
 * this process's run busy (its later turns here are skipped); other workers' turns find the run alive and leave it alone.
 */
export function startImportResumeJob(
  jobs: JobQueue,
  db: Db,
  log: Logger,
  options: Omit<ResumeUploadedImportsOptions, "log"> & { intervalMs?: number } = {},
): Promise<PeriodicJob> {
  const { intervalMs = IMPORT_RESUME_INTERVAL_MS, ...resume } = options;
  return startPeriodicJob(jobs, log, "import resume", { intervalMs, expireAfterMs: IMPORT_RESUME_EXPIRY_MS }, async () => {
    const result = await resumeUploadedImports(db, { ...resume, log });
    if (result.resumed + result.failed + result.skipped + result.removed > 0) log.info(result, "import resume");
  });
}
