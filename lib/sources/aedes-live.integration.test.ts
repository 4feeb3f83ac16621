import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { startIngestWorker, type IngestWorker } from "@/lib/ingest/ingest-worker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { getMqttSourceAdapter } from "./registry.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// aedes' own `$SYS/<id>/new|disconnect/clients` (no reasons) read live by the aedes adapter.
const log = createLogger("test");
log.level = "silent";
let broker: EmbeddedBroker;
const testDb = useTestDatabase();
let worker: IngestWorker;

beforeAll(async () => {
  broker = await startEmbeddedBroker({ log, nodeName: `aedes-${randomUUID().slice(0, 6)}` });
  worker = await startIngestWorker({
    db: testDb.db,
    log,
    mqttUrl: broker.url,
    adapter: getMqttSourceAdapter("aedes"),
    clientId: `ingest-${randomUUID().slice(0, 6)}`,
    flushIntervalMs: 20,
  });
});

afterAll(async () => {
  await worker?.stop();
  await broker?.stop();
});

describe("live aedes $SYS client topics", () => {
  it("a connect and a disconnect arrive as events with the arrival time and an unknown reason", async () => {
    const id = `aedes-dev-${randomUUID().slice(0, 8)}`;
    const events = await waitFor(
      async () => {
        const client = await mqtt.connectAsync(broker.url, { clientId: id, reconnectPeriod: 0 });
        await client.endAsync();
        return testDb.db.connectionEvent.findMany({ where: { deviceId: id }, orderBy: { occurredAt: "asc" } });
      },
      (list) => list.some((e) => e.kind === "disconnected") && list.some((e) => e.kind === "connected"),
    );
    const last = events.filter((e) => e.kind === "disconnected").at(-1);
    expect(last).toMatchObject({ source: "aedes", reason: "unknown", code: null });
    expect(Math.abs((last?.occurredAt.getTime() ?? 0) - Date.now())).toBeLessThan(30_000);
    expect(events.some((e) => e.kind === "connected")).toBe(true);
  });
});
