import { randomUUID } from "node:crypto";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { startIngestWorker, type IngestWorker, type IngestWorkerOptions } from "@/lib/ingest/ingest-worker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { waitFor } from "./wait-for.ts";

export type IngestWorkerFixture = {
  testDb: TestDatabase;
  broker: EmbeddedBroker;
  worker: IngestWorker;
  /** Stops the worker, then the broker, then drops the database. */
  stop(): Promise<void>;
};

/**
 * A test database of its own, the embedded broker, and an ingest worker reading EMQX payloads from it, subscribed
 * before this resolves. `worker` overrides the worker's options (topics, client ID, heartbeat, back-off…).
 */
export async function startIngestWorkerFixture(
  worker: Partial<Omit<IngestWorkerOptions, "db" | "mqttUrl">> = {},
): Promise<IngestWorkerFixture> {
  const log = worker.log ?? createLogger("test");
  if (!worker.log) log.level = "silent";
  const testDb = await createTestDatabase();
  const broker = await startEmbeddedBroker({ log });
  let started: IngestWorker;
  try {
    started = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: broker.url,
      adapter: getMqttSourceAdapter("emqx"),
      clientId: `ingest-${randomUUID()}`,
      heartbeatIntervalMs: 200,
      ...worker,
    });
  } catch (error) {
    await broker.stop();
    await testDb.drop();
    throw error;
  }
  await waitFor(async () => started.stats().subscribed, Boolean);
  return {
    testDb,
    broker,
    worker: started,
    stop: async () => {
      await started.stop();
      await broker.stop();
      await testDb.drop();
    },
  };
}
