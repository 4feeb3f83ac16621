import type { Db } from "@/lib/db/client.ts";
import { deleteExpiredRateLimits } from "@/lib/auth/rate-limiter.ts";
import { pruneProbeRuns } from "@/lib/probe-schedule/prune-probe-runs.ts";
import { deleteExpiredImportUploads } from "@/lib/ingest/import-upload-store.ts";
import type { RetentionPolicy } from "./retention-policy.ts";

const DAY = 86_400_000;

/** Rows one statement deletes at most, so a first run over a large backlog never holds a long transaction. */
const BATCH = 10_000;

export type ExpiredRecords = {
  deadLetters: number;
  auditEvents: number;
  probeRuns: number;
  deviceProbeRuns: number;
  rateLimitCounters: number;
  importUploads: number;
};

/**
 * Deletes dead letters (with their resolutions), audit records, probe results and stored uploads older than their periods, at most
 * BATCH rows of each per run (these tables are small next to the events; the next run continues).
 */
export async function expireRecords(db: Db, policy: RetentionPolicy, now: Date): Promise<ExpiredRecords> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
  const cutoffs = {
    deadLetters: daysAgo(policy.deadLetterDays),
    auditEvents: daysAgo(policy.auditDays),
    probeResults: daysAgo(policy.probeResultDays),
  };
  const [, deadLetters] = await db.$transaction([
    db.$executeRaw`
      DELETE FROM dead_letter_resolutions WHERE dead_letter_id IN (
        SELECT id FROM dead_letters WHERE received_at < ${cutoffs.deadLetters} ORDER BY received_at LIMIT ${BATCH})`,
    db.$executeRaw`
      DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE received_at < ${cutoffs.deadLetters} ORDER BY received_at LIMIT ${BATCH})`,
  ]);
  const auditEvents = await db.$executeRaw`
    DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < ${cutoffs.auditEvents} ORDER BY occurred_at LIMIT ${BATCH})`;
  const probeRuns = await pruneProbeRuns(db, { now, retentionDays: policy.probeResultDays });
  const deviceProbeRuns = await db.$executeRaw`
    DELETE FROM device_probe_runs WHERE id IN (SELECT id FROM device_probe_runs WHERE uploaded_at < ${cutoffs.probeResults} ORDER BY uploaded_at LIMIT ${BATCH})`;
  // Sign-in, token and probe limits: a counter is useless once its window has ended.
  const rateLimitCounters = await deleteExpiredRateLimits(db, now);
  const importUploads = await deleteExpiredImportUploads(db, daysAgo(policy.importUploadDays), now);
  return { deadLetters, auditEvents, probeRuns, deviceProbeRuns, rateLimitCounters, importUploads };
}
