import { z } from "zod";
import type { DipThresholds } from "@/lib/incidents/detect-connected-dips.ts";
import type { DetectionThresholds } from "@/lib/incidents/detect-incidents.ts";
import { DEFAULT_LANES } from "@/lib/ingest/batch-lanes.ts";
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_BYTES } from "@/lib/ingest/deferred-acks.ts";
import { DEFAULT_HEAP_GROWTH_PERCENT } from "@/lib/ingest/worker-heap.ts";
import { ProbeScheduleEnvSchema } from "@/lib/probe-schedule/probe-schedule-env.ts";
import { STATISTICS_INTERVAL_MS } from "@/lib/storage/statistics-job.ts";

/** Incident detection settings; shared by the worker and the launcher (which runs one pass over a backfill). */
export const IncidentDetectionEnvSchema = z.object({
  // 0 turns the worker's periodic detection off.
  INCIDENT_DETECTION_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  INCIDENT_LOOKBACK_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(86_400_000)
    .default(30 * 60_000),
  INCIDENT_MIN_DEVICES: z.coerce.number().int().min(2).max(1_000_000).default(5),
  INCIDENT_MIN_FLEET_PERCENT: z.coerce.number().min(0).max(100).default(20),
  INCIDENT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(3_600_000)
    .default(2 * 60_000),
  INCIDENT_QUIET_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(3_600_000)
    .default(5 * 60_000),
  // Connected-device dips: the count fell by this share of the window's maximum (and by INCIDENT_MIN_DEVICES); 0 turns them off.
  INCIDENT_DIP_PERCENT: z.coerce.number().min(0).max(100).default(20),
  INCIDENT_DIP_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(86_400_000)
    .default(10 * 60_000),
});
export type IncidentDetectionEnv = z.infer<typeof IncidentDetectionEnvSchema>;

export function toDetectionThresholds(env: IncidentDetectionEnv): DetectionThresholds {
  return {
    minDevices: env.INCIDENT_MIN_DEVICES,
    minFleetFraction: env.INCIDENT_MIN_FLEET_PERCENT / 100,
    windowMs: env.INCIDENT_WINDOW_MS,
    quietMs: env.INCIDENT_QUIET_MS,
  };
}

export function toDipThresholds(env: IncidentDetectionEnv): DipThresholds | undefined {
  if (env.INCIDENT_DIP_PERCENT === 0) return undefined;
  return { dipPercent: env.INCIDENT_DIP_PERCENT, minDevices: env.INCIDENT_MIN_DEVICES, windowMs: env.INCIDENT_DIP_WINDOW_MS };
}

const WorkerEnvSchema = z
  .object({
    DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// URL"),
    // Optional when LINKSCOPE_SOURCES_FILE / LINKSCOPE_SOURCES configure the brokers (lib/config/sources-config.ts).
    MQTT_URL: z.string().url("MQTT_URL must be a URL such as mqtt://127.0.0.1:1883").optional(),
    MQTT_USERNAME: z.string().optional(),
    MQTT_PASSWORD: z.string().optional(),
    INGEST_SOURCE: z.string().default("emqx"),
    INGEST_TOPICS: z
      .string()
      .optional()
      .transform((value) =>
        value
          ? value
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean)
          : undefined,
      ),
    INGEST_SHARED_GROUP: z
      .string()
      .regex(/^[^/#+]+$/, "INGEST_SHARED_GROUP cannot contain / # +")
      .optional(),
    INGEST_CLIENT_ID: z.string().min(1).default("linkscope-ingest"),
    // Client IDs that are not devices (other Linkscope workers on the same broker); the worker's own is always ignored.
    INGEST_IGNORE_CLIENT_IDS: z
      .string()
      .optional()
      .transform((value) =>
        value
          ? value
              .split(",")
              .map((id) => id.trim())
              .filter(Boolean)
          : [],
      ),
    INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    INGEST_FLUSH_MS: z.coerce.number().int().min(0).max(10_000).default(50),
    // Unacknowledged messages a source's worker holds at most; bounds its memory whatever the broker's backlog (decision 025).
    INGEST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_IN_FLIGHT),
    // Payload bytes of those messages, at most: what bounds memory when payloads are large (decision 042).
    INGEST_MAX_IN_FLIGHT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(DEFAULT_MAX_IN_FLIGHT_BYTES),
    // How far the worker's heap may grow past its live size before a full collection; 0 leaves V8's own (up to 300 %).
    WORKER_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(1000).default(DEFAULT_HEAP_GROWTH_PERCENT),
    // Batches a source's worker writes at once, partitioned by device; keep DATABASE_POOL_MAX above it.
    INGEST_LANES: z.coerce.number().int().min(1).max(32).default(DEFAULT_LANES),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(3),
    // Alerts: 0 turns evaluation off. Links in notifications use LINKSCOPE_PUBLIC_URL, else NEXTAUTH_URL.
    ALERT_EVALUATION_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
    // How often the workers send due alert notifications (once per due time across them; rows are claimed). 0 turns it off.
    ALERT_DELIVERY_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
    // Where no autovacuum runs: how often one of the workers ANALYZEs stale tables (decision 064). 0 turns it off.
    STATISTICS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(STATISTICS_INTERVAL_MS),
    // Periodic jobs (decision 027): how often one worker fails runs past their expiry, so they run again, and archives.
    JOB_MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
    // A bound on every periodic job's own expiry (2–30 minutes): how long a run whose worker died holds its job.
    JOB_MAX_EXPIRY_MS: z.coerce.number().int().min(1_000).max(86_400_000).optional(),
    LINKSCOPE_PUBLIC_URL: z
      .string()
      .url("LINKSCOPE_PUBLIC_URL must be a URL such as https://linkscope.example.com")
      .regex(/^https?:\/\//, "LINKSCOPE_PUBLIC_URL must start with http:// or https://")
      .optional(),
    NEXTAUTH_URL: z.string().optional(),
  })
  .extend(IncidentDetectionEnvSchema.shape)
  .extend(ProbeScheduleEnvSchema.shape);
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

export function parseWorkerEnv(env: Record<string, string | undefined>) {
  return WorkerEnvSchema.safeParse(env);
}

/** Reads and validates the worker's environment; exits with a readable message instead of a stack trace. */
export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = parseWorkerEnv(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    console.error(`Invalid ingest worker configuration:\n${lines.join("\n")}`);
    process.exit(1);
  }
  return parsed.data;
}
