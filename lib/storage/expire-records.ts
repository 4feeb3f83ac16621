import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { deleteExpiredRateLimits } from "@/lib/auth/rate-limiter.ts";
import { pruneProbeRuns } from "@/lib/probe-schedule/prune-probe-runs.ts";
import { deleteExpiredImportUploads } from "@/lib/ingest/import-upload-store.ts";
import { IMPORT_HEARTBEAT_STALE_MS } from "@/lib/ingest/import-run-state.ts";
import { deleteInChunks } from "./delete-in-chunks.ts";
import { expireSilentDevices } from "./expire-silent-devices.ts";
import type { RetentionPolicy } from "./retention-policy.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const QUARTER_DAY = 6 * HOUR;

/** Rows one statement deletes at most, so no statement holds its locks or its transaction for long. */
export const EXPIRY_CHUNK = 10_000;
/** Incidents' devices per statement: a mass drop may have touched 100,000 devices. */
const INCIDENTS_PER_CHUNK = 100;

/** Hourly cohort rollups, each with a bigint `id` and its hour in `bucket`. */
const COHORT_HOUR_TABLES = ["cohort_hour", "cohort_reason_hour", "cohort_profile_hour", "cohort_profile_reason_hour"] as const;

export type ExpiredRecords = {
  deadLetters: number;
  auditEvents: number;
  probeRuns: number;
  deviceProbeRuns: number;
  rateLimitCounters: number;
  importUploads: number;
  sessions: number;
  ingestSourceMinutes: number;
  eventRollupHours: number;
  cohortHours: number;
  alertHistory: number;
  incidents: number;
  deviceSamples: number;
  shareLinks: number;
  importRuns: number;
  endedSessions: number;
  devices: number;
};

export const NOTHING_EXPIRED: ExpiredRecords = {
  deadLetters: 0,
  auditEvents: 0,
  probeRuns: 0,
  deviceProbeRuns: 0,
  rateLimitCounters: 0,
  importUploads: 0,
  sessions: 0,
  ingestSourceMinutes: 0,
  eventRollupHours: 0,
  cohortHours: 0,
  alertHistory: 0,
  incidents: 0,
  deviceSamples: 0,
  shareLinks: 0,
  importRuns: 0,
  endedSessions: 0,
  devices: 0,
};

/**
 * Deletes what is past its period in every table that grows with time or use and has no month partitions (decision
 * 069): in statements of at most EXPIRY_CHUNK rows, repeated until a table has no more or `deadline` has passed (the
 * next pass continues), so a first pass over years of backlog neither holds long locks nor outlives the pass's lease.
 * Rows something still depends on stay: open sessions, open incidents and those with a live share link, alert history
 * with a delivery still due, import runs with a stored upload or dead letters.
 */
export async function expireRecords(db: Db, policy: RetentionPolicy, now: Date, deadline = Infinity): Promise<ExpiredRecords> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
  const chunks = (deleteChunk: () => Promise<number>) => deleteInChunks(deleteChunk, EXPIRY_CHUNK, deadline);

  const deadLetterCutoff = daysAgo(policy.deadLetterDays);
  const deadLetters = await chunks(async () => {
    // One statement, so a dead letter never goes without its resolution (the resolution table has no foreign key).
    const [row] = await queryRows(
      db,
      "expireDeadLetters",
      z.object({ n: z.number() }),
      Prisma.sql`
      WITH gone AS (
        DELETE FROM dead_letters WHERE id IN (
          SELECT id FROM dead_letters WHERE received_at < ${deadLetterCutoff} ORDER BY received_at LIMIT ${EXPIRY_CHUNK})
        RETURNING id),
      resolutions AS (DELETE FROM dead_letter_resolutions r USING gone WHERE r.dead_letter_id = gone.id)
      SELECT COUNT(*)::int AS n FROM gone`,
    );
    return row?.n ?? 0;
  });
  // Resolutions left behind by earlier passes, which deleted the two tables in separate statements.
  await db.$executeRaw`
    DELETE FROM dead_letter_resolutions r WHERE r.resolved_at < ${deadLetterCutoff}
      AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.id = r.dead_letter_id)`;

  const auditCutoff = daysAgo(policy.auditDays);
  const auditEvents = await chunks(
    () => db.$executeRaw`
      DELETE FROM audit_events WHERE id IN (
        SELECT id FROM audit_events WHERE occurred_at < ${auditCutoff} ORDER BY occurred_at LIMIT ${EXPIRY_CHUNK})`,
  );
  const probeRuns = await pruneProbeRuns(db, { now, retentionDays: policy.probeResultDays });
  const probeCutoff = daysAgo(policy.probeResultDays);
  const deviceProbeRuns = await chunks(
    () => db.$executeRaw`
      DELETE FROM device_probe_runs WHERE id IN (
        SELECT id FROM device_probe_runs WHERE uploaded_at < ${probeCutoff} ORDER BY uploaded_at LIMIT ${EXPIRY_CHUNK})`,
  );
  // Sign-in, token and probe limits: a counter is useless once its window has ended.
  const rateLimitCounters = await deleteExpiredRateLimits(db, now);
  const importUploads = await deleteExpiredImportUploads(db, daysAgo(policy.importUploadDays), now);

  const eventCutoff = daysAgo(policy.eventDays);
  // A session is kept while it is open (the device's current connection), however old its start.
  const sessions = await chunks(
    () => db.$executeRaw`
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE ended_at < ${eventCutoff} ORDER BY ended_at LIMIT ${EXPIRY_CHUNK})`,
  );

  const minuteCutoff = daysAgo(policy.minuteRollupDays);
  const ingestSourceMinutes = await chunks(
    () => db.$executeRaw`
      DELETE FROM ingest_source_minute WHERE (bucket, source, shard) IN (
        SELECT bucket, source, shard FROM ingest_source_minute WHERE bucket < ${minuteCutoff} ORDER BY bucket LIMIT ${EXPIRY_CHUNK})`,
  );

  // Past the hourly retention the minute rows are gone (expireHourlyRollups), and their triggers left the hour and quarter
  // day rows at zero; only buckets wholly before the cutoff go, so a partly expired hour still sums its minutes.
  const hourCutoff = new Date(Math.floor(daysAgo(policy.hourlyRollupDays).getTime() / HOUR) * HOUR);
  const quarterCutoff = new Date(hourCutoff.getTime() - QUARTER_DAY);
  const eventRollupHours =
    (await chunks(
      () => db.$executeRaw`
        DELETE FROM event_rollup_hour WHERE (bucket, kind, reason, code, shard) IN (
          SELECT bucket, kind, reason, code, shard FROM event_rollup_hour WHERE bucket < ${hourCutoff} ORDER BY bucket LIMIT ${EXPIRY_CHUNK})`,
    )) +
    (await chunks(
      () => db.$executeRaw`
        DELETE FROM event_rollup_quarter_day WHERE (bucket, kind, reason, code, shard) IN (
          SELECT bucket, kind, reason, code, shard FROM event_rollup_quarter_day WHERE bucket <= ${quarterCutoff} ORDER BY bucket LIMIT ${EXPIRY_CHUNK})`,
    ));
  // Folded from device_reason_minute and sessions, whose hours past the same period are gone.
  let cohortHours = 0;
  for (const table of COHORT_HOUR_TABLES) {
    cohortHours += await chunks(
      () => db.$executeRaw`
        DELETE FROM ${Prisma.raw(table)} WHERE id IN (SELECT id FROM ${Prisma.raw(table)} WHERE bucket < ${hourCutoff} LIMIT ${EXPIRY_CHUNK})`,
    );
  }

  // Deliveries and their attempts go with their history row (foreign keys, cascade).
  const alertCutoff = daysAgo(policy.alertHistoryDays);
  const alertHistory = await chunks(
    () => db.$executeRaw`
      DELETE FROM alert_history WHERE id IN (
        SELECT h.id FROM alert_history h
        WHERE h.occurred_at < ${alertCutoff}
          AND NOT EXISTS (
            SELECT 1 FROM alert_deliveries d WHERE d.history_id = h.id AND d.status IN ('pending', 'delivering', 'failed'))
        ORDER BY h.occurred_at LIMIT ${EXPIRY_CHUNK})`,
  );

  const incidents = await expireIncidents(db, daysAgo(policy.incidentDays), now, deadline);

  const sampleCutoff = daysAgo(policy.deviceSampleDays);
  const deviceSamples = await chunks(
    () => db.$executeRaw`
      DELETE FROM device_samples WHERE (device_id, series, at) IN (
        SELECT device_id, series, at FROM device_samples WHERE at < ${sampleCutoff} ORDER BY at LIMIT ${EXPIRY_CHUNK})`,
  );

  const shareLinkCutoff = daysAgo(policy.shareLinkDays);
  const shareLinks = await chunks(
    () => db.$executeRaw`
      DELETE FROM share_links WHERE id IN (
        SELECT id FROM share_links WHERE LEAST(expires_at, COALESCE(revoked_at, expires_at)) < ${shareLinkCutoff} LIMIT ${EXPIRY_CHUNK})`,
  );

  // A run is the record that a file was imported; once the file's events are past their period, so is the record.
  const importAliveSince = new Date(now.getTime() - IMPORT_HEARTBEAT_STALE_MS);
  const importRuns = await chunks(
    () => db.$executeRaw`
      DELETE FROM import_runs WHERE id IN (
        SELECT r.id FROM import_runs r
        WHERE COALESCE(r.finished_at, r.heartbeat_at, r.started_at) < ${eventCutoff}
          AND NOT (r.status = 'running' AND COALESCE(r.heartbeat_at >= ${importAliveSince}, false))
          AND NOT EXISTS (SELECT 1 FROM import_uploads u WHERE u.file_sha256 = r.file_sha256 AND u.format = r.format)
          AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.import_run_id = r.id)
        ORDER BY r.id LIMIT ${EXPIRY_CHUNK})`,
  );

  // Signing out also removes expired ones, but only when someone signs out.
  const endedSessions = await chunks(
    () => db.$executeRaw`
      DELETE FROM ended_sessions WHERE session_id IN (
        SELECT session_id FROM ended_sessions WHERE expires_at < ${now} LIMIT ${EXPIRY_CHUNK})`,
  );

  // Last: the incidents and share links that keep a device are expired above.
  const devices = await expireSilentDevices(db, daysAgo(policy.deviceDays), now, deadline);

  return {
    deadLetters,
    auditEvents,
    probeRuns,
    deviceProbeRuns,
    rateLimitCounters,
    importUploads,
    sessions,
    ingestSourceMinutes,
    eventRollupHours,
    cohortHours,
    alertHistory,
    incidents,
    deviceSamples,
    shareLinks,
    importRuns,
    endedSessions,
    devices,
  };
}

/**
 * Closed incidents that ended before `cutoff` and have no share link still usable: their devices first, in chunks (a
 * mass drop's incident may list 100,000), then the incidents, whose notes and share links cascade.
 */
async function expireIncidents(db: Db, cutoff: Date, now: Date, deadline: number): Promise<number> {
  await deleteInChunks(
    () => db.$executeRaw`
      DELETE FROM incident_devices WHERE (incident_id, device_id) IN (
        SELECT d.incident_id, d.device_id FROM incident_devices d
        WHERE d.incident_id IN (
          SELECT i.id FROM incidents i
          WHERE i.status = 'closed' AND i.ended_at < ${cutoff}
            AND EXISTS (SELECT 1 FROM incident_devices x WHERE x.incident_id = i.id)
            AND NOT EXISTS (SELECT 1 FROM share_links s WHERE s.incident_id = i.id AND s.expires_at > ${now} AND s.revoked_at IS NULL)
          ORDER BY i.ended_at LIMIT ${INCIDENTS_PER_CHUNK})
        LIMIT ${EXPIRY_CHUNK})`,
    EXPIRY_CHUNK,
    deadline,
  );
  return deleteInChunks(
    () => db.$executeRaw`
      DELETE FROM incidents WHERE id IN (
        SELECT i.id FROM incidents i
        WHERE i.status = 'closed' AND i.ended_at < ${cutoff}
          AND NOT EXISTS (SELECT 1 FROM incident_devices d WHERE d.incident_id = i.id)
          AND NOT EXISTS (SELECT 1 FROM share_links s WHERE s.incident_id = i.id AND s.expires_at > ${now} AND s.revoked_at IS NULL)
        ORDER BY i.ended_at LIMIT ${INCIDENTS_PER_CHUNK})`,
    INCIDENTS_PER_CHUNK,
    deadline,
  );
}
