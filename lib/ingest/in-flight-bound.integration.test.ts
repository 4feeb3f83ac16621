import { randomUUID } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import mqtt from "mqtt";
import mqttPacket, { type IConnectPacket } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import type { Db } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { publishAll } from "@/lib/testing/publish-all.ts";
import { startTestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { startIngestWorker, type IngestWorker, type IngestWorkerOptions } from "./ingest-worker.ts";

// A backlog queued for the worker's persistent session while it is stopped, then drained with a small in-flight
// limit: the worker never holds more unacknowledged messages than the limit, and stores every message once.

const MOSQUITTO_URL = process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";
const log = createLogger("test");
log.level = "silent";

const testDb = useTestDatabase();
let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = await startEmbeddedBroker({ log });
});
afterAll(async () => {
  await broker?.stop();
});

/** A disconnect; `paddingBytes` adds an extra field, as a rule's own columns would. */
function ruleEvent(deviceId: string, i: number, paddingBytes = 0): string {
  return JSON.stringify({
    event: "client.disconnected",
    clientid: deviceId,
    reason: "keepalive_timeout",
    node: "n1",
    connected_at: 1_700_000_000_000 + i * 1000,
    disconnected_at: 1_700_000_000_500 + i * 1000,
    ...(paddingBytes > 0 ? { padding: "x".repeat(paddingBytes) } : {}),
  });
}

/** `count` messages over `devices` devices, several per device, so lanes and per-device order both matter. */
async function queueBacklog(url: string, topic: string, run: string, count: number, devices: number, paddingBytes = 0): Promise<void> {
  const publisher = await mqtt.connectAsync(url, { clientId: `backlog-pub-${run}`, reconnectPeriod: 0 });
  await publishAll(
    publisher,
    Array.from({ length: count }, (_, i) => ({ topic, payload: ruleEvent(`bl-${run}-${i % devices}`, i, paddingBytes) })),
  );
  await publisher.endAsync();
}

/** Starts the worker once so its persistent session and subscription exist, then stops it. */
async function createSession(options: IngestWorkerOptions, topic: string): Promise<void> {
  const worker = await startIngestWorker(options);
  await waitFor(async () => worker.stats().brokerConnected, Boolean);
  // The subscription is in place once a message published to the topic reaches the worker (a dead letter).
  const probe = `probe-${randomUUID()}`;
  const prober = await mqtt.connectAsync(options.mqttUrl, { clientId: probe, reconnectPeriod: 0 });
  await waitFor(
    async () => {
      await prober.publishAsync(topic, "not json: subscription probe", { qos: 1 });
      return worker.stats().received;
    },
    (n) => n > 0,
  );
  await prober.endAsync();
  await waitFor(
    async () => worker.stats().inFlight,
    (n) => n === 0,
  );
  await worker.stop();
}

/** Forwards the worker's connections to the broker and keeps the CONNECT packets the worker sent, as the broker saw them. */
async function startConnectRecorder(target: URL): Promise<{ url: string; connects: IConnectPacket[]; close(): Promise<void> }> {
  const connects: IConnectPacket[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on("packet", (packet) => {
      if (packet.cmd === "connect") connects.push(packet);
    });
    client.on("data", (chunk) => parser.parse(chunk));
    client.pipe(upstream).pipe(client);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", closeBoth).on("error", closeBoth);
    upstream.on("close", closeBoth).on("error", closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connects,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Ends the worker's persistent session on the shared Mosquitto, so it keeps nothing for a client ID no test uses again. */
async function endSession(clientId: string, protocolVersion: 4 | 5): Promise<void> {
  const cleanup = await mqtt.connectAsync(MOSQUITTO_URL, { clientId, clean: true, protocolVersion, reconnectPeriod: 0 });
  await cleanup.endAsync();
}

/** The worker's options for a backlog test: an EMQX rule topic, two lanes, no heartbeat in the way. */
function backlogOptions(
  topic: string,
  options: Pick<IngestWorkerOptions, "mqttUrl" | "clientId" | "maxInFlight" | "batchSize"> & Partial<IngestWorkerOptions>,
): IngestWorkerOptions {
  return { db: testDb.db, log, adapter: getMqttSourceAdapter("emqx"), topics: [topic], heartbeatIntervalMs: 60_000, lanes: 2, ...options };
}

/** Waits until the whole backlog is stored (each message once) and the worker holds nothing in flight. */
async function expectDrained(worker: IngestWorker, db: Db, run: string, count: number, timeoutMs: number): Promise<void> {
  const stored = await waitFor(
    () => db.connectionEvent.count({ where: { deviceId: { startsWith: `bl-${run}-` } } }),
    (n) => n >= count,
    timeoutMs,
  );
  expect(stored).toBe(count);
  await waitFor(
    async () => worker.stats().inFlight,
    (n) => n === 0,
  );
}

describe("ingest worker in-flight bound", () => {
  it("drains a backlog from the embedded broker (MQTT 3.1.1) holding at most the limit, each message stored once", async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `linkscope-test/${run}/backlog`;
    const count = 1500;
    const limit = 75;
    const options = backlogOptions(topic, {
      mqttUrl: broker.url,
      clientId: `backlog-${run}`,
      maxInFlight: limit,
      batchSize: 75,
    });
    await createSession(options, topic);
    await queueBacklog(broker.url, topic, run, count, 500);

    const worker = await startIngestWorker(options);
    try {
      await expectDrained(worker, testDb.db, run, count, 100_000);
      const stats = worker.stats();
      expect(stats.eventsWritten).toBe(count);
      expect(stats.maxInFlight).toBeGreaterThan(0);
      expect(stats.maxInFlight).toBeLessThanOrEqual(limit);
    } finally {
      await worker.stop();
    }
  }, 150_000);

  it("keeps an MQTT 5 session (Mosquitto) across restarts, asks for at most the limit and holds no more", async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `linkscope-test/${run}/backlog`;
    // Mosquitto's default max_queued_messages (1000) bounds what it keeps for an offline session.
    const count = 800;
    const limit = 50;
    const recorder = await startConnectRecorder(new URL(MOSQUITTO_URL));
    const options = backlogOptions(topic, {
      mqttUrl: recorder.url,
      clientId: `backlog5-${run}`,
      protocolVersion: 5,
      maxInFlight: limit,
      batchSize: 50,
    });
    try {
      await createSession(options, topic);
      await queueBacklog(MOSQUITTO_URL, topic, run, count, 300);

      const worker = await startIngestWorker(options);
      try {
        // Without a session expiry interval an MQTT 5 session ends with its connection and the backlog is lost.
        await expectDrained(worker, testDb.db, run, count, 50_000);
        // Mosquitto 2.0.11 was seen sending hundreds past a client's Receive Maximum while draining a queue, so
        // the worker's own bound is what holds memory down (decision 025).
        expect(worker.stats().maxInFlight).toBeGreaterThan(0);
        expect(worker.stats().maxInFlight).toBeLessThanOrEqual(limit);
        const workerConnects = recorder.connects.filter((packet) => packet.clientId === options.clientId);
        expect(workerConnects.map((packet) => packet.properties?.receiveMaximum)).toEqual([limit, limit]);
      } finally {
        await worker.stop();
      }
    } finally {
      await recorder.close();
      await endSession(options.clientId, 5);
    }
  }, 90_000);

  it("drains a backlog of large messages (Mosquitto, MQTT 3.1.1) holding at most the byte bound plus one message", async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `linkscope-test/${run}/backlog`;
    const count = 200;
    // The largest message of the backlog (the longest device suffix).
    const messageBytes = ruleEvent(`bl-${run}-49`, count - 1, 20_000).length;
    // Five messages' worth: the broker's own in-flight window for 3.1.1 clients (max_inflight_messages, 20 by
    // default) would let it send four times as many, so only the worker's byte bound can hold this.
    const byteLimit = 5 * messageBytes;
    const options = backlogOptions(topic, {
      mqttUrl: MOSQUITTO_URL,
      clientId: `backlog-bytes-${run}`,
      maxInFlight: 5000,
      maxInFlightBytes: byteLimit,
      batchSize: 50,
    });
    try {
      await createSession(options, topic);
      await queueBacklog(MOSQUITTO_URL, topic, run, count, 50, 20_000);

      const worker = await startIngestWorker(options);
      try {
        await expectDrained(worker, testDb.db, run, count, 100_000);
        const stats = worker.stats();
        expect(stats.inFlightBytes).toBe(0);
        expect(stats.peakInFlightBytes).toBeGreaterThan(0);
        expect(stats.peakInFlightBytes).toBeLessThanOrEqual(byteLimit + messageBytes);
        expect(stats.maxInFlight).toBeLessThanOrEqual(6);
      } finally {
        await worker.stop();
      }
    } finally {
      await endSession(options.clientId, 4);
    }
  }, 150_000);

  it("keeps its connection through a slow drain while the broker's PINGRESP waits behind the backlog", async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `linkscope-test/${run}/backlog`;
    const count = 2000;
    // No in-flight window on the broker's side (as bench:worker-backlog): it sends the whole backlog into the socket,
    // so a PINGRESP is read only after every publish before it.
    const mosquitto = await startTestMosquitto({ listenerOptions: ["max_inflight_messages 0", "max_queued_messages 0"] });
    const recorder = await startConnectRecorder(new URL(mosquitto.url));
    // A slow database: each batch's devices insert takes at least 0.2 s.
    const slowDb = await createTestDatabase();
    await slowDb.db.$executeRawUnsafe(
      `CREATE FUNCTION slow_batches() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$`,
    );
    await slowDb.db.$executeRawUnsafe(
      `CREATE TRIGGER slow_batches AFTER INSERT ON devices FOR EACH STATEMENT EXECUTE FUNCTION slow_batches()`,
    );
    const options = backlogOptions(topic, {
      mqttUrl: recorder.url,
      db: slowDb.db,
      clientId: `backlog-keepalive-${run}`,
      // MQTT.js sends a PINGREQ after 2 s without one and gives up on its PINGRESP 1 s later.
      keepaliveSec: 2,
      maxInFlight: 100,
      batchSize: 50,
    });
    try {
      await createSession(options, topic);
      await queueBacklog(mosquitto.url, topic, run, count, count);
      const connectsBefore = recorder.connects.length;

      const worker = await startIngestWorker(options);
      try {
        await expectDrained(worker, slowDb.db, run, count, 150_000);
        // One connection for the whole drain: each keepalive close made the broker send everything in flight again.
        expect(recorder.connects.length - connectsBefore).toBe(1);
      } finally {
        await worker.stop();
      }
    } finally {
      await recorder.close();
      await mosquitto.stop();
      await slowDb.drop();
    }
  }, 180_000);
});
