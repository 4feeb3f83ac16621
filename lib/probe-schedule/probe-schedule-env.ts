import { z } from "zod";

/** Scheduled probe settings of the worker (issue 16); the job runs only when the worker is given a probe runner. */
export const ProbeScheduleEnvSchema = z.object({
  // How often the worker looks for due endpoints; 0 turns scheduled probes off.
  PROBE_SCHEDULE_TICK_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  // Bound on one probe run; a probe still running then is stopped and stored as failed.
  PROBE_RUN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  // Probe runs older than this are deleted by the job.
  PROBE_RUN_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
});
export type ProbeScheduleEnv = z.infer<typeof ProbeScheduleEnvSchema>;
