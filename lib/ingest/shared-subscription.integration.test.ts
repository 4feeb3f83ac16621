import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { startIngestWorker, type IngestWorker } from "./ingest-worker.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// Two workers in one `$share` group on a real Mosquitto split the messages: each is stored once, both work.
const log = createLogger("test");
log.level = "silent";
let broker: TestMosquitto;
const testDb = useTestDatabase();
const workers: IngestWorker[] = [];

beforeAll(async () => {
  broker = await startTestMosquitto();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await broker?.stop();
});

describe("MQTT 5 shared subscriptions", () => {
  it("two workers in one group split 200 EMQX rule-engine messages; every event is stored exactly once", async () => {
    const topic = `linkscope-test/${randomUUID()}/events`;
    for (const name of ["a", "b"]) {
      workers.push(
        await startIngestWorker({
          db: testDb.db,
          log,
          mqttUrl: broker.url,
          adapter: getMqttSourceAdapter("emqx"),
          topics: [topic],
          sharedGroup: "linkscope",
          protocolVersion: 5,
          clientId: `ingest-${name}-${randomUUID().slice(0, 6)}`,
          sourceName: "emqx-shared",
        }),
      );
    }
    await waitFor(async () => workers.every((w) => w.stats().subscribed), Boolean);

    const publisher = await mqtt.connectAsync(broker.url, { clientId: `pub-${randomUUID().slice(0, 6)}`, protocolVersion: 5 });
    const prefix = `shared-${randomUUID().slice(0, 6)}`;
    const base = Date.parse("2026-11-01T00:00:00Z");
    // Pipelined: awaiting each PUBACK before the next publish cost minutes on a loaded machine.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const payload = {
          event: "client.connected",
          clientid: `${prefix}-${i % 20}`,
          connected_at: base + i,
          node: "emqx@test",
          peername: "10.0.0.1:1000",
        };
        return publisher.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
      }),
    );
    await publisher.endAsync();

    const stored = await waitFor(
      () => testDb.db.connectionEvent.count({ where: { deviceId: { startsWith: prefix } } }),
      (n) => n >= 200,
    );
    expect(stored).toBe(200);
    const received = workers.map((w) => w.stats().received);
    expect(received[0]).toBeGreaterThan(0);
    expect(received[1]).toBeGreaterThan(0);
    expect((received[0] ?? 0) + (received[1] ?? 0)).toBe(200);
  });

  it("hostile messages become dead letters with a reason and the workers keep going", async () => {
    const topic = `linkscope-test/${randomUUID()}/hostile`;
    const worker = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: broker.url,
      adapter: getMqttSourceAdapter("emqx"),
      topics: [topic],
      clientId: `ingest-h-${randomUUID().slice(0, 6)}`,
      sourceName: "emqx-hostile",
    });
    workers.push(worker);
    await waitFor(async () => worker.stats().subscribed, Boolean);
    const publisher = await mqtt.connectAsync(broker.url, { clientId: `pub-h-${randomUUID().slice(0, 6)}` });
    const good = `good-${randomUUID().slice(0, 6)}`;
    const hostile: Buffer[] = [
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      Buffer.from('{"__proto__":{"polluted":true},"event":"client.connected","clientid":"x","connected_at":1}'),
      Buffer.from(JSON.stringify({ event: "client.connected", clientid: "x".repeat(300_000), connected_at: 1 })),
      Buffer.from('{"event":"client.connected","clientid":"a\u0000b","connected_at":"soon"}'),
      Buffer.from('{"event":"client.connected",'),
    ];
    for (const payload of hostile) await publisher.publishAsync(topic, payload, { qos: 1 });
    await publisher.publishAsync(topic, JSON.stringify({ event: "client.connected", clientid: good, connected_at: Date.now() }), {
      qos: 1,
    });
    await publisher.endAsync();
    await waitFor(
      () => testDb.db.connectionEvent.count({ where: { deviceId: good } }),
      (n) => n === 1,
    );
    const dead = await waitFor(
      () => testDb.db.deadLetter.findMany({ where: { source: "emqx-hostile" }, orderBy: { id: "asc" } }),
      (rows) => rows.length === 5,
    );
    expect(dead).toHaveLength(5);
    for (const row of dead) expect(row.error.length).toBeGreaterThan(5);
    expect(dead[0]?.payload.startsWith("base64:")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(worker.stats().brokerConnected).toBe(true);
  });
});
