import mqtt, { type MqttClient } from "mqtt";
import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { DeviceSample } from "@/lib/device-evidence/device-sample.ts";
import type { Logger } from "@/lib/log/logger.ts";
import type { MqttSourceAdapter } from "@/lib/sources/registry.ts";
import { computeBackoffDelay, sleep, type BackoffPolicy } from "./backoff.ts";
import { readDatabaseErrorLine } from "./database-unavailable.ts";
import type { DeadLetterInput } from "./dead-letters.ts";
import { routeMessagesWithDeferredAcks, type IncomingMessage } from "./deferred-acks.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

export type IngestWorkerOptions = {
  db: Db;
  log: Logger;
  mqttUrl: string;
  adapter: MqttSourceAdapter;
  /** Topic filters; defaults to the adapter's. A `sharedGroup` prefixes them with `$share/<group>/`. */
  topics?: readonly string[];
  sharedGroup?: string;
  clientId: string;
  username?: string;
  password?: string;
  /** MQTT protocol level of the worker's connection (4 = 3.1.1, 5 = MQTT 5). */
  protocolVersion?: 4 | 5;
  /** TLS material for `mqtts://` / `wss://` brokers (PEM contents, not paths). */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string };
  /** Name of this source in ingest health and dead letters; defaults to the adapter's name. */
  sourceName?: string;
  /** Broker identity passed to stateful adapters (e.g. Mosquitto has no node name in its log lines). */
  brokerNode?: string | null;
  batchSize?: number;
  flushIntervalMs?: number;
  heartbeatIntervalMs?: number;
  brokerBackoff?: BackoffPolicy;
  dbBackoff?: BackoffPolicy;
  /** How long stop() waits for buffered messages to be written before leaving them to redelivery. */
  stopTimeoutMs?: number;
  /**
   * Client IDs that are not devices: brokers report every client's connects, including Linkscope's own ingest
   * workers, which would otherwise appear in the fleet and trip offline alerts.
   */
  ignoredClientIds?: ReadonlySet<string>;
};

export type IngestWorkerStats = {
  brokerConnected: boolean;
  /** The broker granted this connection's subscriptions: from here on, nothing published is missed. */
  subscribed: boolean;
  received: number;
  eventsWritten: number;
  duplicates: number;
  deadLetters: number;
  /** Events about ignored client IDs (our own workers), dropped before the writer. */
  ignored: number;
  batches: number;
  lastEventAt: Date | null;
  lagMs: number | null;
  pending: number;
  lastCommitAt: Date | null;
  /** When the batch now being retried first failed; null while writes succeed. */
  failingSince: Date | null;
  lastError: string | null;
};

export type IngestWorker = { stats(): IngestWorkerStats; stop(): Promise<void> };

/**
 * Subscribes to a broker's lifecycle topics (QoS 1, persistent session), normalizes each message through the
 * source adapter, writes batches in one transaction and acknowledges only after commit. Input it cannot parse
 * goes to dead letters; it never throws on input. Broker and database outages are retried with backoff.
 */
export async function startIngestWorker(options: IngestWorkerOptions): Promise<IngestWorker> {
  const { db, log, adapter, ignoredClientIds } = options;
  const batchSize = options.batchSize ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 50;
  const brokerBackoff = options.brokerBackoff ?? { baseMs: 500, maxMs: 30_000 };
  const dbBackoff = options.dbBackoff ?? { baseMs: 250, maxMs: 15_000 };
  const topics = (options.topics ?? adapter.topics).map((t) => (options.sharedGroup ? `$share/${options.sharedGroup}/${t}` : t));
  const stopping = new AbortController();
  const sourceName = options.sourceName ?? adapter.name;
  // Stateful adapters keep per-connection state (bounded) in their own parser instance.
  const parse = adapter.createParser?.({ brokerNode: options.brokerNode ?? null }) ?? adapter.parse;

  const stats: IngestWorkerStats = {
    brokerConnected: false, subscribed: false, received: 0, eventsWritten: 0, duplicates: 0, deadLetters: 0, ignored: 0, batches: 0,
    lastEventAt: null, lagMs: null, pending: 0, lastCommitAt: null, failingSince: null, lastError: null,
  };
  const pending: IncomingMessage[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;

  const client: MqttClient = mqtt.connect(options.mqttUrl, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: false,
    protocolVersion: options.protocolVersion ?? 4,
    ...(options.tls ?? {}),
    keepalive: 30,
    // Reconnects are scheduled below with exponential backoff and jitter instead of MQTT.js's fixed period.
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  routeMessagesWithDeferredAcks(client, (message) => {
    stats.received += 1;
    pending.push(message);
    scheduleFlush(pending.length >= batchSize ? 0 : flushIntervalMs);
  });

  let brokerAttempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  client.on("connect", (connack) => {
    brokerAttempt = 0;
    stats.brokerConnected = true;
    log.info({ mqttUrl: redactUrl(options.mqttUrl), sessionPresent: connack.sessionPresent }, "broker connected");
    // Subscribing again on a present session is harmless and covers a broker that lost the session.
    client.subscribe([...topics], { qos: 1 }, (error, granted) => {
      if (error) log.error({ err: error }, "subscribe failed");
      else {
        stats.subscribed = true;
        log.info({ topics: granted?.map((g) => `${g.topic}@${g.qos}`) }, "subscribed");
      }
    });
  });
  client.on("close", () => {
    if (stats.brokerConnected) log.warn("broker connection closed");
    stats.brokerConnected = false;
    stats.subscribed = false;
    if (stopping.signal.aborted || reconnectTimer) return;
    const delay = computeBackoffDelay(brokerAttempt++, brokerBackoff);
    log.info({ delayMs: delay, attempt: brokerAttempt }, "reconnecting to broker");
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!stopping.signal.aborted) client.reconnect();
    }, delay);
  });
  client.on("error", (error) => log.warn({ err: error.message }, "broker error"));

  function scheduleFlush(delayMs: number): void {
    if (flushTimer) {
      if (delayMs > 0) return;
      clearTimeout(flushTimer);
    }
    flushTimer = setTimeout(() => {
      flushTimer = null;
      if (flushing) return;
      flushing = flushAll().finally(() => {
        flushing = null;
        if (pending.length > 0 && !stopping.signal.aborted) scheduleFlush(flushIntervalMs);
      });
    }, delayMs);
  }

  async function flushAll(): Promise<void> {
    while (pending.length > 0 && !stopping.signal.aborted) {
      const batch = pending.slice(0, batchSize);
      await writeWithRetry(batch);
      pending.splice(0, batch.length);
      for (const message of batch) message.ack();
    }
    stats.pending = pending.length;
  }

  async function writeWithRetry(batch: IncomingMessage[]): Promise<void> {
    const { events, deadLetters, samples } = normalize(batch);
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const receivedAt = batch[batch.length - 1]?.receivedAt ?? new Date();
        const result = await writeSourceBatch(db, { source: sourceName, events, deadLetters, samples, receivedAt, records: batch.length });
        stats.batches += 1;
        stats.eventsWritten += result.accepted;
        stats.duplicates += result.duplicate;
        stats.deadLetters += result.rejected;
        stats.lastCommitAt = new Date();
        stats.failingSince = null;
        stats.lastError = null;
        noteLag(events, batch);
        log.info({ source: sourceName, messages: batch.length, inserted: result.accepted, duplicates: result.duplicate, deadLetters: result.rejected, ms: Math.round(performance.now() - started) }, "batch written");
        return;
      } catch (error) {
        const delay = computeBackoffDelay(attempt, dbBackoff);
        stats.failingSince ??= new Date();
        stats.lastError = describeWriteError(error);
        // Health must show a stuck source now, not at the next heartbeat: a failing source is what it is for.
        if (attempt === 0) void writeHeartbeat();
        log.error({ err: (error as Error).message, attempt, delayMs: delay, messages: batch.length }, "batch write failed; will retry");
        await sleep(delay, stopping.signal);
        if (stopping.signal.aborted) throw new Error("stopped before the batch was written; the broker will redeliver it");
      }
    }
  }

  function normalize(batch: IncomingMessage[]): { events: ConnectionEvent[]; deadLetters: DeadLetterInput[]; samples: DeviceSample[] } {
    const events: ConnectionEvent[] = [];
    const deadLetters: DeadLetterInput[] = [];
    const samples: DeviceSample[] = [];
    for (const message of batch) {
      let result;
      try {
        result = parse(message.topic, message.payload, { receivedAt: message.receivedAt });
      } catch (error) {
        result = { ok: false as const, error: `adapter crashed: ${(error as Error).message}` };
      }
      if (result.ok) {
        events.push(...withoutIgnoredClients(result.events));
        samples.push(...(result.samples ?? []).filter((sample) => !ignoredClientIds?.has(sample.deviceId)));
      } else deadLetters.push({ source: sourceName, topic: message.topic, error: result.error, payload: message.payload });
    }
    return { events, deadLetters, samples };
  }

  function withoutIgnoredClients(parsed: ConnectionEvent[]): ConnectionEvent[] {
    if (!ignoredClientIds || ignoredClientIds.size === 0) return parsed;
    const kept = parsed.filter((event) => !ignoredClientIds.has(event.deviceId));
    stats.ignored += parsed.length - kept.length;
    return kept;
  }

  function noteLag(events: ConnectionEvent[], batch: IncomingMessage[]): void {
    const newest = events.reduce<ConnectionEvent | null>((a, e) => (a === null || e.occurredAt > a.occurredAt ? e : a), null);
    if (!newest) return;
    stats.lastEventAt = newest.occurredAt;
    const receivedAt = batch[batch.length - 1]?.receivedAt ?? new Date();
    stats.lagMs = Math.max(0, Date.now() - Math.min(receivedAt.getTime(), newest.occurredAt.getTime()));
  }

  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
  const writeHeartbeat = async () => {
    try {
      await db.workerStatus.upsert({
        where: { id: options.clientId },
        create: heartbeatRow(),
        update: heartbeatRow(),
      });
    } catch (error) {
      log.warn({ err: (error as Error).message }, "heartbeat write failed");
    }
  };
  const heartbeatRow = () => ({
    id: options.clientId,
    source: sourceName,
    lastCommitAt: stats.lastCommitAt,
    failingSince: stats.failingSince,
    lastError: stats.lastError,
    backlog: pending.length,
    brokerConnected: stats.brokerConnected,
    lastEventAt: stats.lastEventAt,
    lagMs: stats.lagMs,
    eventsWritten: BigInt(stats.eventsWritten),
    deadLetters: BigInt(stats.deadLetters),
    heartbeatAt: new Date(),
  });
  const heartbeat = setInterval(() => void writeHeartbeat(), heartbeatIntervalMs);
  void writeHeartbeat();

  return {
    stats: () => ({ ...stats, pending: pending.length }),
    async stop() {
      clearInterval(heartbeat);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (flushTimer) clearTimeout(flushTimer);
      // Finish the batch in flight and what is buffered, but give up after a bound: unacknowledged messages
      // are redelivered by the broker to the persistent session.
      const giveUp = setTimeout(() => stopping.abort(), options.stopTimeoutMs ?? 10_000);
      await flushing?.catch(() => undefined);
      if (pending.length > 0 && stats.brokerConnected) await flushAll().catch((error: Error) => log.warn({ err: error.message }, "final flush failed"));
      clearTimeout(giveUp);
      stopping.abort();
      stats.brokerConnected = false;
      stats.subscribed = false;
      await writeHeartbeat();
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    },
  };
}

/** What health may show of a failed write: the error code and the database's words, bounded. */
function describeWriteError(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? `${error.code}: ` : "";
  return `${code}${readDatabaseErrorLine(error)}`.slice(0, 200);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable url)";
  }
}
