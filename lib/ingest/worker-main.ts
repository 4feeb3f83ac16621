import { readWorkerEnv } from "@/lib/config/worker-env.ts";
import { createDb } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { startIngestWorker } from "./ingest-worker.ts";

// Entry point of the ingest worker process: plain Node, no Next imports (STYLE.md rule 2).
const env = readWorkerEnv();
const log = createLogger("ingest");
const db = createDb(env.DATABASE_URL, env.DATABASE_POOL_MAX);
const worker = await startIngestWorker({
  db,
  log,
  mqttUrl: env.MQTT_URL,
  username: env.MQTT_USERNAME,
  password: env.MQTT_PASSWORD,
  adapter: getMqttSourceAdapter(env.INGEST_SOURCE),
  topics: env.INGEST_TOPICS,
  sharedGroup: env.INGEST_SHARED_GROUP,
  clientId: env.INGEST_CLIENT_ID,
  batchSize: env.INGEST_BATCH_SIZE,
  flushIntervalMs: env.INGEST_FLUSH_MS,
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping ingest worker");
  await worker.stop();
  await db.$disconnect();
  log.info(worker.stats(), "ingest worker stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
