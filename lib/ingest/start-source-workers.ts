import type { LiveSourceConfig } from "@/lib/config/sources-config.ts";
import type { Db } from "@/lib/db/client.ts";
import type { Logger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { startIngestWorker, type IngestWorker, type IngestWorkerOptions } from "./ingest-worker.ts";

/**
 * One worker (own MQTT connection, persistent session, deferred PUBACKs and, for stateful adapters, own parser)
 * per configured source, all writing to the same database.
 */
export async function startSourceWorkers(
  db: Db,
  log: Logger,
  sources: readonly LiveSourceConfig[],
  tuning: Pick<
    IngestWorkerOptions,
    "batchSize" | "flushIntervalMs" | "maxInFlight" | "maxInFlightBytes" | "lanes" | "heartbeatIntervalMs"
  > = {},
  extraIgnoredClientIds: readonly string[] = [],
): Promise<IngestWorker[]> {
  // A broker reports our own workers' connections like any client's: they are not devices.
  const ignoredClientIds = new Set([...sources.map((source) => source.clientId), ...extraIgnoredClientIds]);
  return Promise.all(
    sources.map((source) =>
      startIngestWorker({
        db,
        log: log.child({ source: source.name }),
        mqttUrl: source.url,
        username: source.username,
        password: source.password,
        adapter: getMqttSourceAdapter(source.adapter),
        topics: source.topics,
        sharedGroup: source.sharedGroup,
        clientId: source.clientId,
        protocolVersion: source.protocolVersion,
        tls: source.tls,
        sourceName: source.name,
        brokerNode: source.brokerNode,
        ignoredClientIds,
        ...tuning,
      }),
    ),
  );
}
