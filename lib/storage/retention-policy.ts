import { z } from "zod";

const days = (fallback: number, max = 36_500) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * How long each kind of stored data is kept, from the environment (decision 026). The web process reads the same
 * variables to show the effective policy on /admin/retention, so set them for both processes.
 */
export const RetentionEnvSchema = z
  .object({
    /** Raw payloads of events are replaced by a stub after this many days (the event itself stays). */
    RETENTION_RAW_PAYLOAD_DAYS: days(30),
    /** Events, per-device drop minutes and their month partitions are dropped after this many days. */
    RETENTION_EVENT_DAYS: days(400),
    /** Minute rollups are folded into hourly rows after this many days. */
    RETENTION_MINUTE_ROLLUP_DAYS: days(30),
    /** Hourly rollups (and gauge snapshots) are kept this many days. */
    RETENTION_HOURLY_ROLLUP_DAYS: days(730),
    RETENTION_DEAD_LETTER_DAYS: days(90),
    RETENTION_AUDIT_DAYS: days(365),
    /** Scheduled probe runs and uploaded probe reports (the probe scheduler prunes its runs with the same period). */
    PROBE_RUN_RETENTION_DAYS: days(30),
    /**
     * Stored copies of uploaded files whose import did not complete (failed past its resumes, or abandoned) are
     * deleted this many days after the upload; a completed import's copy is deleted at once (decision 053).
     */
    RETENTION_IMPORT_UPLOAD_DAYS: days(7),
    /** Alert history (fired, resolved, test) with its deliveries and their attempts; never while a delivery is still due. */
    RETENTION_ALERT_HISTORY_DAYS: days(365),
    /** Closed incidents with their devices, notes and share links, counted from the incident's end; open ones stay. */
    RETENTION_INCIDENT_DAYS: days(730),
    /** Device-side samples (signal, vitals) from agent reports and uploaded evidence. */
    RETENTION_DEVICE_SAMPLE_DAYS: days(90),
    /** Share links, counted from when they expired or were revoked (their pages already answer 410 by then). */
    RETENTION_SHARE_LINK_DAYS: days(90),
    /**
     * Devices silent this long (no event, no edit), not connected, in no open incident and on no usable share link are
     * forgotten with everything keyed by them: a fleet whose client IDs change per boot would otherwise grow for ever.
     */
    RETENTION_DEVICE_DAYS: days(730),
    /** How often the worker runs the retention and partition pass; 0 turns it off. */
    RETENTION_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  })
  .refine((env) => env.RETENTION_RAW_PAYLOAD_DAYS <= env.RETENTION_EVENT_DAYS, {
    message: "RETENTION_RAW_PAYLOAD_DAYS cannot exceed RETENTION_EVENT_DAYS",
  })
  .refine((env) => env.RETENTION_MINUTE_ROLLUP_DAYS <= env.RETENTION_HOURLY_ROLLUP_DAYS, {
    message: "RETENTION_MINUTE_ROLLUP_DAYS cannot exceed RETENTION_HOURLY_ROLLUP_DAYS",
  })
  // Forgetting a device deletes its history: it goes only once its events are past their own period.
  .refine((env) => env.RETENTION_DEVICE_DAYS >= env.RETENTION_EVENT_DAYS, {
    message: "RETENTION_DEVICE_DAYS cannot be shorter than RETENTION_EVENT_DAYS",
  });

export type RetentionPolicy = {
  rawPayloadDays: number;
  eventDays: number;
  minuteRollupDays: number;
  hourlyRollupDays: number;
  deadLetterDays: number;
  auditDays: number;
  probeResultDays: number;
  importUploadDays: number;
  alertHistoryDays: number;
  incidentDays: number;
  deviceSampleDays: number;
  shareLinkDays: number;
  deviceDays: number;
  intervalMs: number;
};

export function parseRetentionPolicy(env: Record<string, string | undefined>): RetentionPolicy {
  const parsed = RetentionEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Invalid retention settings: ${parsed.error.issues.map((i) => `${i.path.join(".") || "retention"}: ${i.message}`).join("; ")}`,
    );
  }
  const e = parsed.data;
  return {
    rawPayloadDays: e.RETENTION_RAW_PAYLOAD_DAYS,
    eventDays: e.RETENTION_EVENT_DAYS,
    minuteRollupDays: e.RETENTION_MINUTE_ROLLUP_DAYS,
    hourlyRollupDays: e.RETENTION_HOURLY_ROLLUP_DAYS,
    deadLetterDays: e.RETENTION_DEAD_LETTER_DAYS,
    auditDays: e.RETENTION_AUDIT_DAYS,
    probeResultDays: e.PROBE_RUN_RETENTION_DAYS,
    importUploadDays: e.RETENTION_IMPORT_UPLOAD_DAYS,
    alertHistoryDays: e.RETENTION_ALERT_HISTORY_DAYS,
    incidentDays: e.RETENTION_INCIDENT_DAYS,
    deviceSampleDays: e.RETENTION_DEVICE_SAMPLE_DAYS,
    shareLinkDays: e.RETENTION_SHARE_LINK_DAYS,
    deviceDays: e.RETENTION_DEVICE_DAYS,
    intervalMs: e.RETENTION_INTERVAL_MS,
  };
}

export function readRetentionPolicy(env: NodeJS.ProcessEnv = process.env): RetentionPolicy {
  return parseRetentionPolicy(env);
}
