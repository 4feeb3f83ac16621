import { readSourcesConfig, SourcesConfigError, type LiveSourceConfig } from "@/lib/config/sources-config.ts";
import { readWorkerEnv, toDetectionThresholds, toDipThresholds } from "@/lib/config/worker-env.ts";
import { createDb } from "@/lib/db/client.ts";
import { resolvePublicBaseUrl } from "@/lib/alerts/alert-notification.ts";
import { startAlertEvaluationJob } from "@/lib/alerts/alert-evaluation-job.ts";
import { startAlertDeliveryJob } from "@/lib/alerts/deliveries/alert-delivery-job.ts";
import { startIncidentDetectionJob } from "@/lib/incidents/incident-detection-job.ts";
import { startCohortFoldJob } from "@/lib/cohorts/cohort-fold-job.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { runProbe } from "@/lib/probe/run-probe.ts";
import { startProbeScheduleJob } from "@/lib/probe-schedule/probe-schedule-job.ts";
import { startRetentionJob } from "@/lib/storage/retention-job.ts";
import { startStatisticsJob } from "@/lib/storage/statistics-job.ts";
import { startImportResumeJob } from "@/lib/ingest/import-resume-job.ts";
import { startJobQueue } from "@/lib/jobs/job-queue.ts";
import type { IngestWorker } from "@/lib/ingest/ingest-worker.ts";
import { startSourceWorkers } from "@/lib/ingest/start-source-workers.ts";
import { limitHeapGrowth } from "@/lib/ingest/worker-heap.ts";

// Entry point of the ingest worker process: plain Node, no Next imports (STYLE.md rule 2).
const env = readWorkerEnv();
limitHeapGrowth(env.WORKER_HEAP_GROWTH_PERCENT);
const log = createLogger("ingest");

let sources: LiveSourceConfig[];
try {
  sources = readSourcesConfig() ?? singleSourceFromEnv();
} catch (error) {
  console.error(error instanceof SourcesConfigError ? error.message : String(error));
  process.exit(1);
}

function singleSourceFromEnv(): LiveSourceConfig[] {
  if (!env.MQTT_URL) throw new SourcesConfigError("Set MQTT_URL (one broker) or LINKSCOPE_SOURCES_FILE / LINKSCOPE_SOURCES (several).");
  return [
    {
      name: env.INGEST_SOURCE,
      adapter: env.INGEST_SOURCE,
      url: env.MQTT_URL,
      topics: env.INGEST_TOPICS,
      username: env.MQTT_USERNAME,
      password: env.MQTT_PASSWORD,
      clientId: env.INGEST_CLIENT_ID,
      sharedGroup: env.INGEST_SHARED_GROUP,
      brokerNode: null,
    },
  ];
}

const db = createDb(env.DATABASE_URL, env.DATABASE_POOL_MAX);
const workers: IngestWorker[] = await startSourceWorkers(
  db,
  log,
  sources,
  {
    batchSize: env.INGEST_BATCH_SIZE,
    flushIntervalMs: env.INGEST_FLUSH_MS,
    maxInFlight: env.INGEST_MAX_IN_FLIGHT,
    maxInFlightBytes: env.INGEST_MAX_IN_FLIGHT_BYTES,
    lanes: env.INGEST_LANES,
  },
  env.INGEST_IGNORE_CLIENT_IDS,
);
// Periodic jobs run from the Postgres job queue: each due time once across worker processes (decision 027).
const jobs = await startJobQueue(db, log, {
  maintenanceIntervalMs: env.JOB_MAINTENANCE_INTERVAL_MS,
  maxExpireAfterMs: env.JOB_MAX_EXPIRY_MS,
});
const incidentJob =
  env.INCIDENT_DETECTION_INTERVAL_MS > 0
    ? await startIncidentDetectionJob(jobs, db, log, {
        intervalMs: env.INCIDENT_DETECTION_INTERVAL_MS,
        lookbackMs: env.INCIDENT_LOOKBACK_MS,
        thresholds: toDetectionThresholds(env),
        dip: toDipThresholds(env),
      })
    : null;
const alertJob =
  env.ALERT_EVALUATION_INTERVAL_MS > 0
    ? await startAlertEvaluationJob(jobs, db, log, {
        intervalMs: env.ALERT_EVALUATION_INTERVAL_MS,
        publicBaseUrl: resolvePublicBaseUrl({ LINKSCOPE_PUBLIC_URL: env.LINKSCOPE_PUBLIC_URL, NEXTAUTH_URL: env.NEXTAUTH_URL }),
      })
    : null;
// Scheduled runs check every address against the operator's lists (LINKSCOPE_PROBE_TARGETS, LINKSCOPE_OUTBOUND_ALLOW): decision 074.
const probeJob =
  env.PROBE_SCHEDULE_TICK_MS > 0
    ? await startProbeScheduleJob(jobs, db, log, {
        probe: runProbe,
        tickMs: env.PROBE_SCHEDULE_TICK_MS,
        runTimeoutMs: env.PROBE_RUN_TIMEOUT_MS,
        retentionDays: env.PROBE_RUN_RETENTION_DAYS,
      })
    : null;
const alertDeliveryJob =
  env.ALERT_DELIVERY_INTERVAL_MS > 0 ? await startAlertDeliveryJob(jobs, db, log, { intervalMs: env.ALERT_DELIVERY_INTERVAL_MS }) : null;
const retentionJob = await startRetentionJob(jobs, db, log);
const statisticsJob = env.STATISTICS_INTERVAL_MS > 0 ? await startStatisticsJob(jobs, db, log, env.STATISTICS_INTERVAL_MS) : null;
const cohortFoldJob = await startCohortFoldJob(jobs, db, log);
const importResumeJob = await startImportResumeJob(jobs, db, createLogger("import"));
log.info({ sources: sources.map((s) => ({ name: s.name, adapter: s.adapter, shared: s.sharedGroup ?? null })) }, "ingest worker started");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping ingest worker");
  await Promise.all([
    ...workers.map((w) => w.stop()),
    incidentJob?.stop(),
    alertJob?.stop(),
    alertDeliveryJob?.stop(),
    probeJob?.stop(),
    retentionJob?.stop(),
    statisticsJob?.stop(),
    cohortFoldJob.stop(),
    importResumeJob.stop(),
  ]);
  await jobs.stop();
  await db.$disconnect();
  log.info({ stats: workers.map((w) => w.stats()) }, "ingest worker stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
