import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSourcesConfig } from "@/lib/config/sources-config.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import type { IngestWorker } from "./ingest-worker.ts";
import { startSourceWorkers } from "./start-source-workers.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// Two real brokers configured through a sources file, one read as Mosquitto logs, the other (with credentials from
// the environment) as EMQX rule-engine events: both land in one database under their source names.
const log = createLogger("test");
log.level = "silent";
let plain: TestMosquitto;
let secured: TestMosquitto;
const testDb = useTestDatabase();
let workers: IngestWorker[] = [];
let dir: string;

beforeAll(async () => {
  [plain, secured] = await Promise.all([startTestMosquitto(), startTestMosquitto({ users: { ingest: "ingest-secret" } })]);
  dir = mkdtempSync(path.join(tmpdir(), "linkscope-sources-"));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all([plain?.stop(), secured?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("several configured brokers at once", () => {
  it("reads a Mosquitto log source and an EMQX-format source with credentials from env", async () => {
    const topic = `linkscope-test/${randomUUID()}`;
    const tag = randomUUID().slice(0, 6);
    const file = path.join(dir, "sources.json");
    writeFileSync(
      file,
      JSON.stringify({
        sources: [
          { name: `plant-${tag}`, adapter: "mosquitto", url: plain.url, clientId: `ingest-m-${tag}`, brokerNode: "plant" },
          {
            name: `cloud-${tag}`,
            adapter: "emqx",
            url: secured.url,
            topics: [topic],
            username: "ingest",
            passwordEnv: "TEST_CLOUD_PASSWORD",
            clientId: `ingest-e-${tag}`,
          },
        ],
      }),
    );
    const sources = readSourcesConfig({ LINKSCOPE_SOURCES_FILE: file, TEST_CLOUD_PASSWORD: "ingest-secret" });
    if (!sources) throw new Error("no sources");
    const otherWorker = `other-worker-${tag}`;
    workers = await startSourceWorkers(testDb.db, log, sources, { flushIntervalMs: 20 }, [otherWorker]);
    await waitFor(async () => workers.every((w) => w.stats().subscribed), Boolean);

    // Another Linkscope worker on the same broker is a client, not a device: its connects are dropped.
    const worker = await mqtt.connectAsync(plain.url, { clientId: otherWorker, reconnectPeriod: 0 });
    await worker.endAsync();
    const device = `m-${tag}`;
    await waitFor(
      async () => {
        const client = await mqtt.connectAsync(plain.url, { clientId: device, reconnectPeriod: 0 });
        await client.endAsync();
        return testDb.db.connectionEvent.count({ where: { deviceId: device, kind: "disconnected" } });
      },
      (n) => n > 0,
    );
    const publisher = await mqtt.connectAsync(secured.url, { clientId: `pub-${tag}` });
    await publisher.publishAsync(
      topic,
      JSON.stringify({
        event: "client.disconnected",
        clientid: `e-${tag}`,
        reason: "keepalive_timeout",
        disconnected_at: Date.now(),
        node: "emqx@cloud",
      }),
      { qos: 1 },
    );
    await publisher.endAsync();

    const cloudEvent = await waitFor(
      () => testDb.db.connectionEvent.findFirst({ where: { deviceId: `e-${tag}` } }),
      (e) => e !== null,
    );
    expect(cloudEvent).toMatchObject({ code: "emqx:keepalive_timeout", reason: "keepalive_timeout" });
    const plantEvent = await testDb.db.connectionEvent.findFirst({ where: { deviceId: device, kind: "disconnected" } });
    expect(plantEvent).toMatchObject({ code: "mosquitto:disconnected", brokerNode: "plant" });
    // The log stream is ordered: the other worker's lines came before the device's, so they were read and dropped.
    expect(await testDb.db.device.findUnique({ where: { id: otherWorker } })).toBeNull();
    expect(workers.reduce((sum, w) => sum + w.stats().ignored, 0)).toBeGreaterThan(0);
    await waitFor(
      () => testDb.db.ingestSourceMinute.findMany({ where: { source: { in: [`plant-${tag}`, `cloud-${tag}`] } } }),
      (rows) => new Set(rows.map((r) => r.source)).size === 2,
    );
  });
});
