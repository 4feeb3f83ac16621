import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { startIngestWorker, type IngestWorker } from "./ingest-worker.ts";

// Runs against the machine's real Mosquitto (a standard broker with persistent sessions), not our own broker,
// so the acknowledgement semantics are checked against a broker we did not write.
const MOSQUITTO_URL = process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";
const log = createLogger("test");
log.level = "silent";

const testDb = useTestDatabase();

async function publishAll(topic: string, payloads: string[]): Promise<void> {
  const client = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `pub-${randomUUID()}` });
  for (const payload of payloads) await client.publishAsync(topic, payload, { qos: 1 });
  await client.endAsync();
}

function ruleEvent(deviceId: string, i: number): string {
  return JSON.stringify({
    event: "client.disconnected",
    clientid: deviceId,
    reason: "keepalive_timeout",
    node: "n1",
    connected_at: 1_700_000_000_000 + i * 1000,
    disconnected_at: 1_700_000_000_500 + i * 1000,
  });
}

describe("ingest worker acknowledgements (real Mosquitto)", () => {
  it("does not acknowledge what it could not commit: the broker redelivers it to the next worker", async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `linkscope-test/${run}/events`;
    const deviceId = `ack-${run}`;
    const clientId = `linkscope-ack-${run}`;
    const adapter = getMqttSourceAdapter("emqx");
    // A database nobody listens on: every write fails and is retried.
    const deadDb = createDb("postgresql://postgres@127.0.0.1:1/none", 1);

    let worker: IngestWorker = await startIngestWorker({
      db: deadDb,
      log,
      mqttUrl: MOSQUITTO_URL,
      adapter,
      topics: [topic],
      clientId,
      dbBackoff: { baseMs: 50, maxMs: 200 },
      stopTimeoutMs: 300,
      heartbeatIntervalMs: 60_000,
    });
    await waitFor(async () => worker.stats().subscribed, Boolean);
    await publishAll(
      topic,
      [0, 1, 2].map((i) => ruleEvent(deviceId, i)),
    );
    await waitFor(
      async () => worker.stats().received,
      (n) => n >= 3,
    );
    expect(worker.stats().eventsWritten).toBe(0);
    await worker.stop();
    await deadDb.$disconnect();

    worker = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: MOSQUITTO_URL,
      adapter,
      topics: [topic],
      clientId,
      heartbeatIntervalMs: 60_000,
    });
    try {
      const stored = await waitFor(
        () => testDb.db.connectionEvent.count({ where: { deviceId } }),
        (n) => n >= 3,
      );
      expect(stored).toBe(3);
    } finally {
      await worker.stop();
    }

    // Everything is acknowledged now: a third worker with the same session receives nothing again. The broker
    // delivers a session's queued messages before new ones, so once a marker published now has arrived, it is the
    // only message received.
    worker = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: MOSQUITTO_URL,
      adapter,
      topics: [topic],
      clientId,
      heartbeatIntervalMs: 60_000,
    });
    try {
      await waitFor(async () => worker.stats().subscribed, Boolean);
      const marker = `${deviceId}-marker`;
      await publishAll(topic, [ruleEvent(marker, 0)]);
      expect(
        await waitFor(
          () => testDb.db.connectionEvent.count({ where: { deviceId: marker } }),
          (n) => n >= 1,
        ),
      ).toBe(1);
      expect(worker.stats().received).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it("sends malformed messages to dead letters and keeps ingesting (and stores a redelivered event once)", async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `linkscope-test/${run}/events`;
    const deviceId = `dl-${run}`;
    const worker = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: MOSQUITTO_URL,
      adapter: getMqttSourceAdapter("emqx"),
      topics: [topic],
      clientId: `linkscope-dl-${run}`,
      heartbeatIntervalMs: 60_000,
    });
    try {
      await waitFor(async () => worker.stats().subscribed, Boolean);
      await publishAll(topic, [
        "{not json",
        JSON.stringify({ event: "client.connected", clientid: "" }),
        "\u0000\u0001binary",
        ruleEvent(deviceId, 0),
        ruleEvent(deviceId, 0),
      ]);
      const stored = await waitFor(
        () => testDb.db.connectionEvent.count({ where: { deviceId } }),
        (n) => n >= 1,
      );
      const letters = await waitFor(
        () => testDb.db.deadLetter.findMany({ where: { topic } }),
        (rows) => rows.length >= 3,
      );
      expect(stored).toBe(1);
      expect(letters.map((l) => l.error).sort()).toEqual([
        expect.stringMatching(/clientid is empty/),
        expect.stringMatching(/not JSON/),
        expect.stringMatching(/not JSON/),
      ]);
      expect(letters.find((l) => l.payload.startsWith("base64:"))).toBeDefined();
      // The redelivered copy may come in a later batch than the first: its count follows that batch's commit.
      expect(
        await waitFor(
          () => worker.stats().duplicates,
          (n) => n >= 1,
        ),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await worker.stop();
    }
  });
});
