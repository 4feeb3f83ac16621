import mqtt, { type MqttClient } from "mqtt";
import type { Db } from "@/lib/db/client.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import type { Logger } from "@/lib/log/logger.ts";
import type { MqttSourceAdapter } from "@/lib/sources/registry.ts";
import { computeBackoffDelay, sleep, type BackoffPolicy } from "@/lib/time/backoff.ts";
import { createBatchLanes, DEFAULT_LANES } from "./batch-lanes.ts";
import { toMqttDeadLetterTopic } from "./dead-letter-topics.ts";
import { readDatabaseErrorLine } from "@/lib/db/database-unavailable.ts";
import {
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_IN_FLIGHT_BYTES,
  routeMessagesWithDeferredAcks,
  type IncomingMessage,
} from "./deferred-acks.ts";
import { refuseEventsFromTheFuture } from "./future-events.ts";
import { splitByDevice, type MessagePart, type ParsedMessage } from "./split-by-device.ts";
import { writeSourceBatch } from "./write-source-batch.ts";
import type { RecordOrigin } from "./dead-letters.ts";

// MQTT 5's Receive Maximum is a two-byte integer.
const MAX_RECEIVE_MAXIMUM = 65_535;
// worker_status.lag_ms is an int4 (24.8 days): a backlog of older events made every heartbeat fail out of range.
const MAX_STORED_LAG_MS = 2_147_483_647;
// MQTT 5 ends a session when its connection closes unless told otherwise; this keeps it like a 3.1.1 session.
const SESSION_NEVER_EXPIRES = 0xffff_ffff;

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
  /** Most messages in one batch; under load a lane writes everything that queued during its previous write, up to this. */
  batchSize?: number;
  /** How long a message waits for a batch to fill when the worker is quiet (the latency cap). */
  flushIntervalMs?: number;
  /**
   * Messages received and not yet committed, at most: with MQTT 5 the broker is told (Receive Maximum), and with
   * either version the worker stops reading the socket when the bound is reached (decision 025).
   */
  maxInFlight?: number;
  /** Payload bytes of those messages, at most (plus the one message that reaches it): what bounds memory when payloads are large. */
  maxInFlightBytes?: number;
  /** Batches written at once; a device's messages always share a lane, so they are written in order. */
  lanes?: number;
  heartbeatIntervalMs?: number;
  /** MQTT keepalive of the worker's connection, in seconds (30 unless told otherwise). */
  keepaliveSec?: number;
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
  /** Messages received and not yet committed (the same as `inFlight`). */
  pending: number;
  /** Messages received and not yet acknowledged, now. */
  inFlight: number;
  /** The most messages received and not yet acknowledged at any moment since the start: never above `inFlightLimit`. */
  maxInFlight: number;
  inFlightLimit: number;
  /** Payload bytes of the messages in flight, now and at most since the start, and their bound. */
  inFlightBytes: number;
  peakInFlightBytes: number;
  inFlightBytesLimit: number;
  lanes: number;
  lastCommitAt: Date | null;
  /** When the batch now being retried first failed; null while writes succeed. */
  failingSince: Date | null;
  lastError: string | null;
};

export type IngestWorker = { stats(): IngestWorkerStats; stop(): Promise<void> };

/** `origin`: the message the part's events were read from, kept as the dead letter of one the database refuses. */
type WriteItem = MessagePart & { receivedAt: Date; origin: RecordOrigin; done(): void };

/**
 * Subscribes to a broker's lifecycle topics (QoS 1, persistent session), normalizes each message through the
 * source adapter, writes batches in one transaction per batch, several batches at once partitioned by device, and
 * acknowledges a message only after every batch holding a part of it has committed. At most `maxInFlight`
 * messages are held unacknowledged. Input it cannot parse goes to dead letters; it never throws on input. Broker
 * and database outages are retried with backoff.
 */
export async function startIngestWorker(options: IngestWorkerOptions): Promise<IngestWorker> {
  const { db, log, adapter, ignoredClientIds } = options;
  const batchSize = options.batchSize ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 50;
  const maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const maxInFlightBytes = Math.max(1, options.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES);
  const laneCount = Math.max(1, options.lanes ?? DEFAULT_LANES);
  const protocolVersion = options.protocolVersion ?? 4;
  const brokerBackoff = options.brokerBackoff ?? { baseMs: 500, maxMs: 30_000 };
  const dbBackoff = options.dbBackoff ?? { baseMs: 250, maxMs: 15_000 };
  const topics = (options.topics ?? adapter.topics).map((t) => (options.sharedGroup ? `$share/${options.sharedGroup}/${t}` : t));
  const stopping = new AbortController();
  const sourceName = options.sourceName ?? adapter.name;
  // Stateful adapters keep per-connection state (bounded) in their own parser instance.
  const parse = adapter.createParser?.({ brokerNode: options.brokerNode ?? null }) ?? adapter.parse;

  const stats: IngestWorkerStats = {
    brokerConnected: false,
    subscribed: false,
    received: 0,
    eventsWritten: 0,
    duplicates: 0,
    deadLetters: 0,
    ignored: 0,
    batches: 0,
    lastEventAt: null,
    lagMs: null,
    pending: 0,
    inFlight: 0,
    maxInFlight: 0,
    inFlightLimit: maxInFlight,
    inFlightBytes: 0,
    peakInFlightBytes: 0,
    inFlightBytesLimit: maxInFlightBytes,
    lanes: laneCount,
    lastCommitAt: null,
    failingSince: null,
    lastError: null,
  };
  // Per lane, so one lane's commit does not hide another lane's failing batch.
  const laneFailingSince: (Date | null)[] = Array.from({ length: laneCount }, () => null);

  const client: MqttClient = mqtt.connect(options.mqttUrl, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: false,
    protocolVersion,
    ...(protocolVersion === 5
      ? { properties: { receiveMaximum: Math.min(maxInFlight, MAX_RECEIVE_MAXIMUM), sessionExpiryInterval: SESSION_NEVER_EXPIRES } }
      : {}),
    ...(options.tls ?? {}),
    keepalive: options.keepaliveSec ?? 30,
    // Otherwise mqtt-packet pre-builds 65,536 two-byte Buffers (its packet-id cache: ~6 MB of live heap, 65,536
    // objects every full collection marks) to speed up writing packets; a subscriber writes only PUBACKs and pings.
    writeCache: false,
    // Reconnects are scheduled below with exponential backoff and jitter instead of MQTT.js's fixed period.
    reconnectPeriod: 0,
    // MQTT.js logs through `debug` several times per packet, and a disabled `debug` call still collects its arguments
    // and checks its namespaces (1.5 KB allocated per message in the storm); its trace stays available with DEBUG set.
    ...(process.env.DEBUG ? {} : { log: ignoreMqttTrace }),
    connectTimeout: 10_000,
  });

  const lanes = createBatchLanes<WriteItem>({
    lanes: laneCount,
    maxBatch: batchSize,
    lingerMs: flushIntervalMs,
    write: writeBatch,
    onLaneStopped: (lane, error) => log.warn({ lane, err: (error as Error).message }, "lane stopped; its messages are left to redelivery"),
  });
  const inFlight = routeMessagesWithDeferredAcks(
    client,
    (message) => {
      stats.received += 1;
      const parts = splitByDevice(parseMessage(message));
      const { ack, receivedAt } = message;
      const origin = { topic: toMqttDeadLetterTopic(message.topic), payload: message.payload };
      let remaining = parts.length;
      const done =
        parts.length === 1
          ? ack
          : () => {
              remaining -= 1;
              if (remaining === 0) ack();
            };
      for (const part of parts)
        lanes.push(part.key, {
          key: part.key,
          events: part.events,
          samples: part.samples,
          deadLetters: part.deadLetters,
          records: part.records,
          receivedAt,
          origin,
          done,
        });
    },
    { maxInFlight, maxInFlightBytes },
  );

  let brokerAttempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  client.on("connect", (connack) => {
    brokerAttempt = 0;
    stats.brokerConnected = true;
    log.info(
      { mqttUrl: redactUrl(options.mqttUrl), sessionPresent: connack.sessionPresent, maxInFlight, maxInFlightBytes, lanes: laneCount },
      "broker connected",
    );
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

  function parseMessage(message: IncomingMessage): ParsedMessage {
    let result;
    try {
      result = refuseEventsFromTheFuture(
        parse(message.topic, message.payload, { receivedAt: message.receivedAt }),
        message.receivedAt.getTime(),
      );
    } catch (error) {
      result = { ok: false as const, error: `adapter crashed: ${(error as Error).message}` };
    }
    if (!result.ok) {
      return {
        topic: message.topic,
        events: [],
        samples: [],
        deadLetter: { source: sourceName, topic: toMqttDeadLetterTopic(message.topic), error: result.error, payload: message.payload },
      };
    }
    const samples = result.samples?.length ? result.samples.filter((sample) => !ignoredClientIds?.has(sample.deviceId)) : [];
    return { topic: message.topic, events: withoutIgnoredClients(result.events), samples, deadLetter: null };
  }

  async function writeBatch(batch: WriteItem[], lane: number): Promise<void> {
    const events = batch.flatMap((item) => item.events);
    const input = {
      source: sourceName,
      events,
      deadLetters: batch.flatMap((item) => item.deadLetters),
      samples: batch.flatMap((item) => item.samples),
      receivedAt: batch[batch.length - 1]?.receivedAt ?? new Date(),
      records: batch.reduce((sum, item) => sum + item.records, 0),
      origins: new Map(batch.flatMap((item) => item.events.map((event) => [event, item.origin] as const))),
    };
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const result = await writeSourceBatch(db, input);
        stats.batches += 1;
        stats.eventsWritten += result.accepted;
        stats.duplicates += result.duplicate;
        stats.deadLetters += result.rejected;
        stats.lastCommitAt = new Date();
        noteLaneRecovered(lane);
        noteLag(events, input.receivedAt);
        log.info(
          {
            source: sourceName,
            lane,
            messages: input.records,
            parts: batch.length,
            inserted: result.accepted,
            duplicates: result.duplicate,
            deadLetters: result.rejected,
            inFlight: inFlight.inFlight(),
            ms: Math.round(performance.now() - started),
          },
          "batch written",
        );
        for (const item of batch) item.done();
        return;
      } catch (error) {
        const delay = computeBackoffDelay(attempt, dbBackoff);
        laneFailingSince[lane] ??= new Date();
        stats.failingSince = earliest(laneFailingSince);
        stats.lastError = describeWriteError(error);
        // Health must show a stuck source now, not at the next heartbeat: a failing source is what it is for.
        if (attempt === 0) void writeHeartbeat();
        log.error({ err: (error as Error).message, lane, attempt, delayMs: delay, parts: batch.length }, "batch write failed; will retry");
        await sleep(delay, stopping.signal);
        if (stopping.signal.aborted) throw new Error("stopped before the batch was written; the broker will redeliver it");
      }
    }
  }

  function noteLaneRecovered(lane: number): void {
    laneFailingSince[lane] = null;
    stats.failingSince = earliest(laneFailingSince);
    if (stats.failingSince === null) stats.lastError = null;
  }

  function withoutIgnoredClients(parsed: ConnectionEvent[]): ConnectionEvent[] {
    if (!ignoredClientIds || !parsed.some((event) => ignoredClientIds.has(event.deviceId))) return parsed;
    const kept = parsed.filter((event) => !ignoredClientIds.has(event.deviceId));
    stats.ignored += parsed.length - kept.length;
    return kept;
  }

  function noteLag(events: ConnectionEvent[], receivedAt: Date): void {
    const newest = events.reduce<ConnectionEvent | null>((a, e) => (a === null || e.occurredAt > a.occurredAt ? e : a), null);
    if (!newest) return;
    if (stats.lastEventAt === null || newest.occurredAt > stats.lastEventAt) stats.lastEventAt = newest.occurredAt;
    stats.lagMs = Math.max(0, Date.now() - Math.min(receivedAt.getTime(), newest.occurredAt.getTime()));
  }

  const currentStats = (): IngestWorkerStats => ({
    ...stats,
    pending: inFlight.inFlight(),
    inFlight: inFlight.inFlight(),
    maxInFlight: inFlight.peakInFlight(),
    inFlightBytes: inFlight.inFlightBytes(),
    peakInFlightBytes: inFlight.peakInFlightBytes(),
  });

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
    backlog: inFlight.inFlight(),
    inFlightLimit: maxInFlight,
    brokerConnected: stats.brokerConnected,
    lastEventAt: stats.lastEventAt,
    lagMs: stats.lagMs === null ? null : Math.min(stats.lagMs, MAX_STORED_LAG_MS),
    eventsWritten: BigInt(stats.eventsWritten),
    deadLetters: BigInt(stats.deadLetters),
    heartbeatAt: new Date(),
  });
  const heartbeat = setInterval(() => void writeHeartbeat(), heartbeatIntervalMs);
  void writeHeartbeat();

  return {
    stats: currentStats,
    async stop() {
      clearInterval(heartbeat);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      // What arrives from now on is left unacknowledged, for redelivery to the next worker of the session.
      inFlight.stopDelivering();
      // Write what is buffered, but give up after a bound: unacknowledged messages are redelivered by the broker
      // to the persistent session.
      const giveUp = setTimeout(() => stopping.abort(), options.stopTimeoutMs ?? 10_000);
      await lanes.drain().catch((error: Error) => log.warn({ err: error.message }, "final flush failed"));
      clearTimeout(giveUp);
      stopping.abort();
      stats.brokerConnected = false;
      stats.subscribed = false;
      await writeHeartbeat();
      await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    },
  };
}

function earliest(dates: readonly (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((a, d) => (d !== null && (a === null || d < a) ? d : a), null);
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

function ignoreMqttTrace(): void {}
