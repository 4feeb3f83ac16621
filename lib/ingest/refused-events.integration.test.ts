import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { makeAgentMetrics } from "@/lib/testing/factories.ts";
import { refuseInsertsWhere } from "@/lib/testing/refuse-inserts.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { startIngestWorker } from "./ingest-worker.ts";
import { createIngestToken } from "./ingest-tokens.ts";
import { buildDeviceSample } from "@/lib/device-evidence/device-sample.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { DAY_MS } from "@/lib/time/durations.ts";
import { writeSourceBatch } from "./write-source-batch.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";
import { discardImportDeadLetters } from "./discard-import-dead-letters.ts";
import { importFile } from "./import-file.ts";

// One record the database refuses must not stop its source: the batch is split, the refused record becomes a
// dead letter with the reason, the rest is written and acknowledged. A trigger stands in for any such refusal.
const log = createLogger("test");
log.level = "silent";
const REFUSED_PREFIX = "refused-";

const testDb = useTestDatabase();
let route: typeof import("@/app/api/v1/ingest/[source]/route.ts");
let awsToken: string;

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  route = await import("@/app/api/v1/ingest/[source]/route.ts");
  awsToken = (await createIngestToken(testDb.db, { source: "aws-iot" }, CLI_ACTOR)).token;
  await refuseInsertsWhere(testDb.db, {
    name: "refuse_marked_devices",
    table: "devices",
    column: "id",
    pattern: `${REFUSED_PREFIX}%`,
    message: "refused by the test",
  });
  await refuseInsertsWhere(testDb.db, {
    name: "refuse_marked_samples",
    table: "device_samples",
    column: "device_id",
    pattern: `${REFUSED_PREFIX}%`,
    message: "sample refused by the test",
  });
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

function post(body: string | Buffer) {
  const request = new Request("http://127.0.0.1/api/v1/ingest/aws-iot", {
    method: "POST",
    body: typeof body === "string" ? body : new Uint8Array(body),
    headers: { "content-type": "application/json", authorization: `Bearer ${awsToken}` },
  });
  return route.POST(request, { params: Promise.resolve({ source: "aws-iot" }) });
}

function awsConnected(clientId: string, version: number, extra: object = {}) {
  return {
    clientId,
    timestamp: Date.now() - 60_000 + version,
    eventType: "connected",
    sessionIdentifier: `s-${clientId}-${version}`,
    principalIdentifier: "p",
    versionNumber: version,
    ipAddress: "192.0.2.1",
    ...extra,
  };
}

const deviceEvents = (deviceId: string) => testDb.db.connectionEvent.count({ where: { deviceId } });
const uniqueId = (name: string) => `${name}-${randomUUID().slice(0, 6)}`;

describe("records an adapter accepted and Postgres would refuse", () => {
  it("stores events with NUL or a literal \\u0000 in their text; refuses times Postgres cannot hold, saying why", async () => {
    const nul = uniqueId("nul");
    const literal = uniqueId("literal");
    const farAhead = uniqueId("ahead");
    const beyondYear9999 = uniqueId("y275760");
    const good = uniqueId("good");
    const body = JSON.stringify([
      awsConnected(nul, 1, { sessionIdentifier: "s\u0000", principalIdentifier: "p\u0000", ipAddress: "192.0.2.1\u0000" }),
      awsConnected(literal, 1, { note: "C:\\u0000" }),
      awsConnected(farAhead, 1, { timestamp: Date.now() + 4_000 * DAY_MS }),
      awsConnected(beyondYear9999, 1, { timestamp: 8.64e15 - 1 }),
      awsConnected(good, 1),
    ]);
    const response = await post(body);
    expect(response.status).toBe(200);
    const result = await response.json();
    expect(result).toMatchObject({ accepted: 3, rejected: 2 });
    expect(result.errors).toEqual([
      { index: 2, error: expect.stringContaining("more than ten years after it was received") },
      { index: 3, error: expect.stringContaining("after 9999-12-31") },
    ]);
    const stored = await testDb.db.connectionEvent.findMany({ where: { deviceId: { in: [nul, literal, good] } } });
    expect(stored.map((event) => event.deviceId).sort()).toEqual([nul, literal, good].sort());
    expect(stored.find((event) => event.deviceId === nul)).toMatchObject({ sessionKey: expect.stringContaining("\uFFFD") });
    expect(stored.find((event) => event.deviceId === literal)?.raw).toMatchObject({ note: "C:\\u0000" });
    expect(await testDb.db.deadLetter.count({ where: { topic: { in: [`refused-event:${nul}`, `refused-event:${literal}`] } } })).toBe(0);
    expect(await testDb.db.deadLetter.count({ where: { topic: "webhook:aws-iot", payload: { contains: farAhead } } })).toBe(1);
  });
});

describe("device samples the database refuses", () => {
  const sample = (deviceId: string) => buildDeviceSample({ deviceId, series: "a1", at: new Date(), vitals: { rssiDbm: -60 } });

  it("become dead letters; the batch's events and other samples are written", async () => {
    const [good, refused, withEvents] = [uniqueId("sample-good"), `${REFUSED_PREFIX}${uniqueId("sample")}`, uniqueId("sample-events")];
    const event = parseAwsRecord(awsConnected(withEvents, 1));
    if (!event.ok) throw new Error(event.error);
    const result = await writeSourceBatch(testDb.db, {
      source: "linkscope-agent",
      events: event.events,
      deadLetters: [],
      samples: [sample(good), sample(refused)],
    });
    expect(result).toMatchObject({ accepted: 1, rejected: 1 });
    expect(await deviceEvents(withEvents)).toBe(1);
    expect(await testDb.db.deviceSample.count({ where: { deviceId: good } })).toBe(1);
    const letter = await testDb.db.deadLetter.findFirstOrThrow({ where: { topic: `refused-sample:${refused}` } });
    expect(letter.error).toMatch(/the database refused this device sample: .*sample refused by the test/);
  });
});

describe("refused records over the webhook", () => {
  it("[good, refused, good] stores both good events and keeps the refused one as a dead letter with the reason", async () => {
    const good = [`good-a-${randomUUID().slice(0, 6)}`, `good-b-${randomUUID().slice(0, 6)}`];
    const refused = `${REFUSED_PREFIX}${randomUUID().slice(0, 6)}`;
    const response = await post(JSON.stringify([awsConnected(good[0] ?? "", 1), awsConnected(refused, 1), awsConnected(good[1] ?? "", 1)]));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 2, rejected: 1 });
    expect(await deviceEvents(good[0] ?? "")).toBe(1);
    expect(await deviceEvents(good[1] ?? "")).toBe(1);
    const letter = await testDb.db.deadLetter.findFirstOrThrow({
      where: { topic: "refused:webhook:aws-iot", payload: { contains: refused } },
    });
    expect(letter.error).toMatch(/the database refused this event: .*refused by the test/);
    expect(JSON.parse(letter.payload)).toMatchObject({ clientId: refused });
  });

  it("stores an event whose extra field holds a JSON-escaped lone surrogate, with the character replaced", async () => {
    const deviceId = `surrogate-${randomUUID().slice(0, 6)}`;
    const body = JSON.stringify([awsConnected(deviceId, 1, { note: "MARK" })]).replace('"MARK"', '"\\ud800"');
    const response = await post(body);
    expect(await response.json()).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await deviceEvents(deviceId)).toBe(1);
  });

  it("rejects only the record nested 5,000 deep; its neighbours are stored", async () => {
    const good = `deep-neighbour-${randomUUID().slice(0, 6)}`;
    const deep = `{"clientId":"deep","nested":${"[".repeat(5000)}1${"]".repeat(5000)}}`;
    const response = await post(`[${JSON.stringify(awsConnected(good, 1))},${deep}]`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 1, rejected: 1 });
    expect(await deviceEvents(good)).toBe(1);
  });

  it("keeps a body that is not valid UTF-8 as a dead letter and answers 400", async () => {
    const before = await testDb.db.deadLetter.count({ where: { error: "body is not valid UTF-8" } });
    const response = await post(Buffer.from([0x5b, 0xff, 0xfe, 0x5d]));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_encoding" } });
    expect(await testDb.db.deadLetter.count({ where: { error: "body is not valid UTF-8" } })).toBe(before + 1);
  });
});

describe("refused records from a file import", () => {
  it("belong to the import run, so its count and its discard include them", async () => {
    const [good, refused] = [uniqueId("import-good"), `${REFUSED_PREFIX}${uniqueId("import")}`];
    const dir = await mkdtemp(path.join(tmpdir(), "refused-import-"));
    try {
      const file = path.join(dir, "presence.jsonl");
      await writeFile(file, [awsConnected(good, 1), awsConnected(refused, 1)].map((record) => JSON.stringify(record)).join("\n"));
      const format = getRecordFormat("aws-iot");
      if (!format) throw new Error("no aws-iot format");
      const summary = await importFile(testDb.db, { filePath: file, format });
      expect(summary).toMatchObject({ inserted: 1, deadLetters: 1 });
      const letters = await testDb.db.deadLetter.findMany({ where: { importRunId: summary.runId } });
      expect(letters.map((letter) => letter.error)).toEqual([expect.stringContaining("refused by the test")]);
      expect(await discardImportDeadLetters(testDb.db, summary.runId)).toEqual({ found: true, discarded: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("refused records from the broker", () => {
  let broker: EmbeddedBroker | undefined;

  afterAll(async () => {
    await broker?.stop();
  });

  it("writes and acknowledges the rest of the batch, and the source does not stall", async () => {
    broker = await startEmbeddedBroker({ log });
    const worker = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: broker.url,
      adapter: getMqttSourceAdapter("emqx"),
      clientId: `ingest-${randomUUID()}`,
      flushIntervalMs: 200,
      stopTimeoutMs: 1000,
    });
    try {
      await waitFor(async () => worker.stats().subscribed, Boolean);
      const ids = [
        `w-good-${randomUUID().slice(0, 6)}`,
        `${REFUSED_PREFIX}w-${randomUUID().slice(0, 6)}`,
        `w-good-${randomUUID().slice(0, 6)}`,
      ];
      const clients = await Promise.all(ids.map((clientId) => mqtt.connectAsync(broker?.url ?? "", { clientId, reconnectPeriod: 0 })));
      await waitFor(
        async () => Promise.all([deviceEvents(ids[0] ?? ""), deviceEvents(ids[2] ?? "")]),
        (counts) => counts.every((count) => count >= 1),
      );
      const refusedLetter = await waitFor(
        // The message as the broker sent it, on its topic.
        () => testDb.db.deadLetter.count({ where: { topic: { startsWith: "refused:$SYS/brokers/", contains: `/clients/${ids[1]}/` } } }),
        (count) => count >= 1,
      );
      expect(refusedLetter).toBeGreaterThanOrEqual(1);
      expect(await deviceEvents(ids[1] ?? "")).toBe(0);
      // Nothing is left waiting for a retry: the source keeps moving.
      await waitFor(
        async () => worker.stats(),
        (stats) => stats.pending === 0 && stats.failingSince === null,
      );
      expect(worker.stats()).toMatchObject({ pending: 0, failingSince: null });
      await Promise.all(clients.map((client) => client.endAsync()));
    } finally {
      await worker.stop();
    }
  });

  it("agent reports: a refused sample and an event dated years ahead become dead letters; the rest is written", async () => {
    broker ??= await startEmbeddedBroker({ log });
    const worker = await startIngestWorker({
      db: testDb.db,
      log,
      mqttUrl: broker.url,
      adapter: getMqttSourceAdapter("linkscope-agent"),
      clientId: `ingest-agent-${randomUUID()}`,
      flushIntervalMs: 200,
      stopTimeoutMs: 1000,
    });
    try {
      await waitFor(async () => worker.stats().subscribed, Boolean);
      const [first, refused, ahead, last] = [
        uniqueId("vitals-a"),
        `${REFUSED_PREFIX}${uniqueId("vitals")}`,
        uniqueId("ahead"),
        uniqueId("vitals-b"),
      ];
      // The embedded broker lets a device publish reports for itself only.
      const publish = async (deviceId: string, payload: object) => {
        const device = await mqtt.connectAsync(broker?.url ?? "", { clientId: deviceId, reconnectPeriod: 0 });
        await device.publishAsync(`linkscope/agent/${encodeURIComponent(deviceId)}/report`, JSON.stringify(payload), { qos: 1 });
        await device.endAsync();
      };
      await publish(first, agentVitals(first));
      await publish(refused, agentVitals(refused));
      await publish(ahead, agentSystemEvent(ahead, new Date(Date.now() + 4_000 * DAY_MS)));
      await publish(last, agentVitals(last));
      const samples = await waitFor(
        () => testDb.db.deviceSample.count({ where: { deviceId: { in: [first, last] } } }),
        (count) => count === 2,
      );
      expect(samples).toBe(2);
      const letters = await waitFor(
        () =>
          testDb.db.deadLetter.findMany({
            where: { OR: [{ topic: `refused-sample:${refused}` }, { topic: { contains: encodeURIComponent(ahead) } }] },
          }),
        (rows) => rows.length === 2,
      );
      expect(letters.map((letter) => letter.error).sort()).toEqual([
        expect.stringContaining("more than ten years after it was received"),
        expect.stringContaining("the database refused this device sample"),
      ]);
      expect(await deviceEvents(ahead)).toBe(0);
      await waitFor(
        async () => worker.stats(),
        (stats) => stats.pending === 0 && stats.failingSince === null,
      );
      expect(worker.stats()).toMatchObject({ pending: 0, failingSince: null });
    } finally {
      await worker.stop();
    }
  });
});

function agentVitals(deviceId: string) {
  return {
    format: "linkscope-agent-vitals",
    version: 1,
    deviceId,
    agentId: "a1",
    measuredAt: new Date().toISOString(),
    vitals: { rssiDbm: -60 },
    publishedMessages: 1,
  };
}

function agentSystemEvent(deviceId: string, at: Date) {
  return {
    format: "linkscope-agent-report",
    version: 1,
    deviceId,
    agentId: "a1",
    sentAt: at.toISOString(),
    report: { type: "system_event", event: { seq: 1, timestamp: at.toISOString(), type: "other", detail: null } },
    metrics: makeAgentMetrics({ systemEvents: 1 }),
  };
}
