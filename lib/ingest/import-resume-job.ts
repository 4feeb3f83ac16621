import type { Db } from "@/lib/db/client.ts";
import { startPeriodicJob } from "@/lib/jobs/periodic-job.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { resumeUploadedImports, type ResumeUploadedImportsOptions } from "./resume-uploaded-imports.ts";

/** How often the worker looks for uploaded imports whose process died (decision 053). */
export const IMPORT_RESUME_INTERVAL_MS = 30_000;

/**
 * Resumes uploaded imports in the worker, one process per due time (periodic-job.ts). A long import keeps this
 * process's job busy (its later ticks are skipped); other workers' turns find the run alive and leave it alone.
 */
export function startImportResumeJob(
  db: Db,
  log: Logger,
  options: Omit<ResumeUploadedImportsOptions, "log"> & { intervalMs?: number } = {},
): { stop(): Promise<void> } {
  const { intervalMs = IMPORT_RESUME_INTERVAL_MS, ...resume } = options;
  return startPeriodicJob(db, log, "import resume", intervalMs, async () => {
    const result = await resumeUploadedImports(db, { ...resume, log });
    if (result.resumed + result.failed + result.skipped + result.removed > 0) log.info(result, "import resume");
  });
}
