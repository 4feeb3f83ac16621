import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";
import { listDeadLetters } from "@/lib/queries/list-dead-letters.ts";
import { allowInsertsAgain, refuseInsertsWhere } from "@/lib/testing/refuse-inserts.ts";
import { importDeviceEvidence } from "@/lib/device-evidence/import-device-evidence.ts";
import { getRecordFormat, type RecordFormat } from "@/lib/sources/record-formats.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { makeAgentDrop, makeAgentExport, makeAgentMetrics } from "@/lib/testing/factories.ts";
import { importAgentExport } from "./import-agent-export.ts";
import { ingestWebhookBody } from "./ingest-webhook.ts";
import { importFile } from "./import-file.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { reprocessDeadLetters } from "./reprocess-dead-letters.ts";
import { writeSourceBatch } from "./write-source-batch.ts";

const testDb = useTestDatabase();

describe("dead-letter re-processing and ingest health", () => {
  it("re-processes dead letters that today's adapters read, keeps the rest open with today's error", async () => {
    const source = `src-${randomUUID().slice(0, 6)}`;
    const device = `dl-${randomUUID().slice(0, 8)}`;
    // As an older adapter version would have left them: a valid AWS event, a valid Mosquitto $SYS line, junk.
    const valid = JSON.stringify({
      clientId: device,
      timestamp: Date.parse("2026-11-01T00:00:00Z"),
      eventType: "connected",
      sessionIdentifier: "s",
      versionNumber: 3,
    });
    await writeSourceBatch(testDb.db, {
      source,
      events: [],
      deadLetters: [
        { source, topic: "webhook:aws-iot", error: "old adapter: unknown field", payload: valid },
        {
          source,
          topic: "$SYS/broker/log/N",
          error: "old adapter",
          payload: `1800000000: New client connected from 10.0.0.9:1 as ${device}-m (p2, c1, k60).`,
        },
        { source, topic: "webhook:aws-iot", error: "not JSON", payload: "{nope" },
      ],
      receivedAt: new Date(),
    });
    const before = await getIngestHealth(testDb.db, { minutes: 5 });
    expect(before.sources.find((s) => s.source === source)).toMatchObject({ deadLetters: 3, unresolvedDeadLetters: 3 });

    const result = await reprocessDeadLetters(testDb.db, { source });
    expect(result).toMatchObject({ examined: 3, resolved: 2, events: 2 });
    expect(result.stillFailing).toEqual([{ id: expect.any(BigInt), error: expect.stringContaining("inside a JSON value") }]);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: { startsWith: device } } })).toBe(2);
    // It stays open with today's reason.
    expect(await listDeadLetters(testDb.db, { source, limit: 10 })).toMatchObject([
      { error: expect.stringContaining("inside a JSON value") },
    ]);
    expect(await listDeadLetters(testDb.db, { source, includeResolved: true, limit: 10 })).toHaveLength(3);
    // Running it again changes nothing.
    expect(await reprocessDeadLetters(testDb.db, { source })).toMatchObject({ examined: 1, resolved: 0 });
    const after = await getIngestHealth(testDb.db, { minutes: 5 });
    expect(after.sources.find((s) => s.source === source)).toMatchObject({ unresolvedDeadLetters: 1 });
  });

  it("writes each dead letter alone: one the database still refuses stays open with that reason, the others resolve", async () => {
    const source = `refuse-${randomUUID().slice(0, 6)}`;
    const tag = randomUUID().slice(0, 6);
    await refuseInsertsWhere(testDb.db, {
      name: "refuse_reprocessed_device",
      table: "devices",
      column: "id",
      pattern: `refused-${tag}`,
      message: "device refused by the test",
    });
    const presence = (clientId: string) =>
      JSON.stringify({
        clientId,
        timestamp: Date.parse("2026-11-01T00:00:00Z"),
        eventType: "connected",
        sessionIdentifier: "s",
        versionNumber: 1,
      });
    await writeSourceBatch(testDb.db, {
      source,
      events: [],
      deadLetters: [`first-${tag}`, `refused-${tag}`, `last-${tag}`].map((clientId) => ({
        source,
        topic: "webhook:aws-iot",
        error: "old adapter",
        payload: presence(clientId),
      })),
      receivedAt: new Date(),
    });
    const result = await reprocessDeadLetters(testDb.db, { source });
    expect(result).toMatchObject({ examined: 3, resolved: 2, events: 2 });
    expect(result.stillFailing).toEqual([{ id: expect.any(BigInt), error: expect.stringContaining("the database refused this event") }]);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: { in: [`first-${tag}`, `last-${tag}`] } } })).toBe(2);
    const [open] = await listDeadLetters(testDb.db, { source, limit: 10 });
    expect(open).toMatchObject({ error: expect.stringMatching(/the database refused this event: .*device refused by the test/) });
    expect(open?.payload).toContain(`refused-${tag}`);
  });

  it("reads a dead letter left inside an export wrapper (a CloudWatch log event) as the import reads it today", async () => {
    const source = `cw-${randomUUID().slice(0, 6)}`;
    const device = `dl-${randomUUID().slice(0, 8)}`;
    const entry = {
      timestamp: "2017-08-10 15:37:23.476",
      logLevel: "INFO",
      traceId: randomUUID(),
      accountId: "1",
      status: "Success",
      eventType: "Disconnect",
      protocol: "MQTT",
      clientId: device,
      sourceIp: "205.251.233.181",
      sourcePort: 13490,
      disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
    };
    const logEvent = {
      logStreamName: "1",
      timestamp: 1502379443476,
      message: JSON.stringify(entry),
      ingestionTime: 1502379444000,
      eventId: "1",
    };
    await writeSourceBatch(testDb.db, {
      source,
      events: [],
      deadLetters: [
        { source, topic: "import:cloudwatch:events.json", error: "not an AWS IoT lifecycle event", payload: JSON.stringify(logEvent) },
      ],
      receivedAt: new Date(),
    });
    expect(await reprocessDeadLetters(testDb.db, { source })).toMatchObject({ examined: 1, resolved: 1, events: 1 });
    const [event] = await testDb.db.connectionEvent.findMany({ where: { deviceId: device } });
    expect(event).toMatchObject({ kind: "disconnected", code: "aws:MQTT_KEEP_ALIVE_TIMEOUT" });
  });

  it("reports events per minute, lag and last event per source", async () => {
    const source = `live-${randomUUID().slice(0, 6)}`;
    const now = new Date();
    const event = {
      deviceId: `h-${randomUUID().slice(0, 8)}`,
      kind: "connected" as const,
      occurredAt: new Date(now.getTime() - 1500),
      reason: "connected" as const,
      initiator: "client" as const,
      code: null,
      message: null,
      source,
      feed: null,
      brokerNode: null,
      sessionKey: "k",
      ordering: null,
      clientIp: null,
      clientPort: null,
      protocolVersion: null,
      keepaliveSec: null,
      cleanStart: null,
      sessionPresent: null,
      username: null,
      tls: null,
      flags: [],
      dedupeKey: `${source}:${randomUUID()}`,
      raw: {},
    };
    await writeSourceBatch(testDb.db, { source, events: [event], deadLetters: [], receivedAt: now });
    await writeSourceBatch(testDb.db, { source, events: [event], deadLetters: [], receivedAt: now });
    const health = await getIngestHealth(testDb.db, { minutes: 10 });
    expect(health.sources.find((s) => s.source === source)).toMatchObject({
      inserted: 1,
      duplicates: 1,
      eventsPerMinute: 0.1,
      lagMsMax: 1500,
      lastEventAt: event.occurredAt,
    });
  });
});

describe("every kind of dead letter is re-processed through the path it came by, or says why it cannot be", () => {
  const tag = () => randomUUID().slice(0, 8);
  const lettersWhere = (where: object) => testDb.db.deadLetter.findMany({ where, orderBy: { id: "asc" } });
  const reprocess = async (letters: { id: bigint }[]) => reprocessDeadLetters(testDb.db, { ids: letters.map((letter) => letter.id) });
  const awsPresence = (clientId: string, eventType = "connected") => ({
    clientId,
    timestamp: Date.now() - 60_000,
    eventType,
    sessionIdentifier: `s-${clientId}`,
    principalIdentifier: "p",
    versionNumber: 1,
    ipAddress: "192.0.2.1",
  });
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  it("an event the database refused from a webhook body: read again from its record with the webhook's format", async () => {
    const name = `refuse_wh_${tag()}`;
    const [good, refused] = [`rwh-good-${tag()}`, `rwh-${name}`];
    await refuseInsertsWhere(testDb.db, { name, table: "devices", column: "id", pattern: refused, message: "refused until fixed" });
    const body = Buffer.from(JSON.stringify([awsPresence(good), awsPresence(refused)]));
    expect(await ingestWebhookBody(testDb.db, getRecordFormat("aws-iot") as RecordFormat, body)).toMatchObject({
      accepted: 1,
      rejected: 1,
    });
    const letters = await lettersWhere({ payload: { contains: refused } });
    expect(letters).toMatchObject([{ topic: "refused:webhook:aws-iot", error: expect.stringContaining("refused until fixed") }]);
    expect(JSON.parse(letters[0]?.payload ?? "")).toMatchObject({ clientId: refused, eventType: "connected" });

    expect(await reprocess(letters)).toMatchObject({
      resolved: 0,
      stillFailing: [{ error: expect.stringContaining("refused until fixed") }],
    });
    await allowInsertsAgain(testDb.db, { name, table: "devices" });
    expect(await reprocess(letters)).toMatchObject({ examined: 1, resolved: 1, events: 1 });
    expect(await testDb.db.connectionEvent.findMany({ where: { deviceId: refused } })).toMatchObject([{ feed: "aws-iot:presence" }]);
    expect(await reprocess(letters)).toMatchObject({ examined: 0 });
  });

  it("an event the database refused from a broker message: read again from the message with the source's adapter", async () => {
    const name = `refuse_mq_${tag()}`;
    const refused = `rmq-${name}`;
    await refuseInsertsWhere(testDb.db, { name, table: "devices", column: "id", pattern: refused, message: "refused until fixed" });
    const topic = `$aws/events/presence/disconnected/${refused}`;
    const payload = Buffer.from(JSON.stringify({ ...awsPresence(refused, "disconnected"), disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT" }));
    const parsed = getMqttSourceAdapter("aws-iot").parse(topic, payload);
    if (!parsed.ok) throw new Error(parsed.error);
    // As the worker writes a batch: each event with the message it was read from.
    const origins = new Map(parsed.events.map((event) => [event, { topic, payload }] as const));
    await writeSourceBatch(testDb.db, { source: "aws-iot", events: parsed.events, deadLetters: [], origins });
    const letters = await lettersWhere({ source: "aws-iot", topic: `refused:${topic}` });
    expect(letters).toHaveLength(1);
    await allowInsertsAgain(testDb.db, { name, table: "devices" });
    expect(await reprocess(letters)).toMatchObject({ resolved: 1, events: 1 });
    expect(await testDb.db.connectionEvent.findMany({ where: { deviceId: refused } })).toMatchObject([
      { kind: "disconnected", code: "aws:MQTT_KEEP_ALIVE_TIMEOUT" },
    ]);
  });

  it("a device sample the database refused: written again through the sample writer", async () => {
    const name = `refuse_sample_${tag()}`;
    const device = `rs-${name}`;
    await refuseInsertsWhere(testDb.db, { name, table: "device_samples", column: "device_id", pattern: device, message: "sample refused" });
    const at = new Date(Date.now() - 60_000);
    const sample = {
      deviceId: device,
      series: "a1",
      at,
      rssiDbm: -61,
      linkQualityPct: null,
      batteryPct: 80,
      freeMemoryBytes: 1024,
      uptimeSec: 5,
      publishedMessages: 3,
    };
    await writeSourceBatch(testDb.db, { source: "linkscope-agent", events: [], deadLetters: [], samples: [sample] });
    const letters = await lettersWhere({ topic: `refused-sample:${device}` });
    expect(letters).toHaveLength(1);
    await allowInsertsAgain(testDb.db, { name, table: "device_samples" });
    expect(await reprocess(letters)).toMatchObject({ resolved: 1, events: 0 });
    expect(await testDb.db.deviceSample.findMany({ where: { deviceId: device } })).toMatchObject([{ series: "a1", at, batteryPct: 80 }]);
  });

  it("an uploaded record the database refused: read again with the upload's reader", async () => {
    const name = `refuse_upload_${tag()}`;
    const device = `ru-${tag()}`;
    await refuseInsertsWhere(testDb.db, {
      name,
      table: "connection_events",
      column: "message",
      pattern: `%${name}%`,
      message: "refused until fixed",
    });
    const body = JSON.stringify({
      timestamp: new Date().toISOString(),
      metrics: { total_connection_drops: 2, messages_published: 10 },
      recent_drops: [
        { timestamp: minutesAgo(40), error_name: "AWS_ERROR_MQTT_TIMEOUT", error_message: "keepalive", duration_connected_seconds: 60 },
        { timestamp: minutesAgo(30), error_name: "AWS_ERROR_MQTT_TIMEOUT", error_message: name, duration_connected_seconds: 60 },
      ],
    });
    expect(await importDeviceEvidence(testDb.db, { deviceId: device, body })).toMatchObject({ accepted: 1, rejected: 1 });
    const letters = await lettersWhere({ topic: `refused:device-upload:collector-drop:${device}` });
    expect(letters).toHaveLength(1);
    await allowInsertsAgain(testDb.db, { name, table: "connection_events" });
    expect(await reprocess(letters)).toMatchObject({ resolved: 1, events: 1 });
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: device, feed: "mqtt-diagnostics-collector:upload" } })).toBe(2);
  });

  it("bad records of a device page upload: read again with the reader that read them, each alone", async () => {
    const device = `up-${tag()}`;
    const stamp = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, "+0000");
    const agentExport = (recentDrops: unknown[]) => makeAgentExport(device, { metrics: makeAgentMetrics({ totalDrops: 1 }), recentDrops });
    const agentDrop = (timestamp: string) => makeAgentDrop(timestamp);
    // An entry today's reader still refuses, as an upload left it.
    await importAgentExport(testDb.db, { deviceId: device, body: JSON.stringify(agentExport([agentDrop("yesterday")])) });
    const stillBad = await lettersWhere({ source: "linkscope-agent-upload", topic: `device-upload:agent-export:${device}` });
    expect(stillBad).toHaveLength(1);
    // Records as an older reader would have refused them, which today's readers read.
    await writeSourceBatch(testDb.db, {
      source: "device-evidence-upload",
      events: [],
      deadLetters: [
        {
          source: "linkscope-agent-upload",
          topic: `device-upload:agent-export:${device}`,
          error: "old reader",
          payload: JSON.stringify(agentExport([agentDrop(minutesAgo(50))])),
        },
        {
          source: "device-evidence-upload",
          topic: `device-upload:collector-connection:${device}`,
          error: "old reader",
          payload: JSON.stringify({ timestamp: minutesAgo(40), event_type: "reconnected", attempt_number: 1 }),
        },
        {
          source: "device-evidence-upload",
          topic: `device-upload:system-log?utc=0:${device}`,
          error: "old reader",
          payload: `${stamp(30)} gw wpa_supplicant[512]: wlan0: CTRL-EVENT-DISCONNECTED bssid=aa:bb reason=4`,
        },
      ],
    });
    const readToday = await lettersWhere({ error: "old reader", topic: { endsWith: `:${device}` } });
    expect(readToday).toHaveLength(3);

    const result = await reprocess([...stillBad, ...readToday]);
    expect(result).toMatchObject({ examined: 4, resolved: 3, events: 3 });
    expect(result.stillFailing).toEqual([
      { id: stillBad[0]?.id, error: expect.stringMatching(/^not an agent drop entry: .*timestamp.* \(device /) },
    ]);
    const stored = await testDb.db.connectionEvent.findMany({ where: { deviceId: device }, orderBy: { occurredAt: "asc" } });
    expect(stored.map((event) => event.feed)).toEqual([
      "linkscope-agent:report",
      "mqtt-diagnostics-collector:upload",
      "device-system-log:upload",
    ]);
    // Nothing read again becomes a second dead letter.
    expect(await testDb.db.deadLetter.count({ where: { topic: { endsWith: `:${device}` } } })).toBe(4);
  });

  it("a device evidence file refused whole: read again as the upload read it, with what the uploader said of it", async () => {
    const device = `ev-${tag()}`;
    await expect(importDeviceEvidence(testDb.db, { deviceId: device, body: JSON.stringify({ unrelated: true }) })).rejects.toMatchObject({
      code: "invalid_evidence",
    });
    const refused = await lettersWhere({ source: "device-evidence-upload", topic: { endsWith: `:${device}` } });
    expect(refused).toMatchObject([{ topic: `device-upload:evidence?format=auto:${device}` }]);
    const collectorExport = JSON.stringify({
      timestamp: new Date().toISOString(),
      metrics: { total_connection_drops: 1, messages_published: 10 },
      recent_drops: [
        { timestamp: minutesAgo(20), error_name: "AWS_ERROR_MQTT_TIMEOUT", error_message: "keepalive", duration_connected_seconds: 60 },
      ],
    });
    await writeSourceBatch(testDb.db, {
      source: "device-evidence-upload",
      events: [],
      deadLetters: [
        {
          source: "device-evidence-upload",
          topic: `device-upload:evidence?format=collector:${device}`,
          error: "old reader",
          payload: collectorExport,
        },
      ],
    });
    const readToday = await lettersWhere({ error: "old reader", topic: { endsWith: `:${device}` } });

    const result = await reprocess([...refused, ...readToday]);
    expect(result).toMatchObject({ examined: 2, resolved: 1, events: 1 });
    expect(result.stillFailing).toEqual([{ id: refused[0]?.id, error: expect.stringContaining("Not device evidence Linkscope reads") }]);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: device } })).toBe(1);
    expect(await testDb.db.deviceSample.count({ where: { deviceId: device } })).toBe(1);
    expect(await testDb.db.deadLetter.count({ where: { topic: { endsWith: `:${device}` } } })).toBe(2);
  });

  it("a webhook body kept whole (malformed, or gzip that did not inflate): read as the webhook reads a body", async () => {
    const source = `body-${tag()}`;
    const [a, b] = [`body-a-${tag()}`, `body-b-${tag()}`];
    const ndjson = `${JSON.stringify(awsPresence(a))}\n${JSON.stringify(awsPresence(b))}\n`;
    await writeSourceBatch(testDb.db, {
      source,
      events: [],
      deadLetters: [
        // As an older reader would have left them.
        { source, topic: "webhook:aws-iot", error: "malformed body: old reader", payload: ndjson },
        {
          source,
          topic: "webhook:aws-iot",
          error: "body does not inflate (gzip)",
          payload: gzipSync(JSON.stringify([awsPresence(`${a}-z`)])),
        },
        // Broken for good.
        { source, topic: "webhook:aws-iot", error: "body does not inflate (gzip)", payload: gzipSync(ndjson).subarray(0, 20) },
      ],
    });
    const result = await reprocessDeadLetters(testDb.db, { source });
    expect(result).toMatchObject({ examined: 3, resolved: 2, events: 3 });
    expect(result.stillFailing).toEqual([{ id: expect.any(BigInt), error: expect.stringMatching(/^body does not inflate \(gzip\): /) }]);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: { in: [a, b, `${a}-z`] } } })).toBe(3);
  });

  it("an imported log line too long to keep whole says it cannot be re-processed, instead of resolving from its head", async () => {
    const device = `long-${tag()}`;
    const dir = await mkdtemp(path.join(tmpdir(), "long-line-"));
    const file = path.join(dir, `${device}.log`);
    const head = `1796171531: New client connected from 203.0.113.7:40001 as ${device}`;
    await writeFile(
      file,
      `${head}${"x".repeat(70 * 1024)} (p2, c1, k60).\n1796171532: Client ${device} has exceeded timeout, disconnecting.\n`,
    );
    try {
      expect(await importFile(testDb.db, { filePath: file, format: getRecordFormat("mosquitto") as RecordFormat })).toMatchObject({
        deadLetters: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const letters = await lettersWhere({ topic: `import:mosquitto:${device}.log` });
    expect(letters).toMatchObject([{ error: expect.stringContaining("log line longer than") }]);
    expect(await reprocess(letters)).toMatchObject({
      resolved: 0,
      stillFailing: [{ error: "only a truncated copy of this input was kept; it cannot be re-processed" }],
    });
  });

  it("the break of a gzip import, which keeps no payload, says it cannot be re-processed", async () => {
    const device = `cut-${tag()}`;
    const dir = await mkdtemp(path.join(tmpdir(), "cut-gzip-"));
    const file = path.join(dir, `${device}.log.gz`);
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `1796171${String(i).padStart(3, "0")}: Client ${device}-${i} has exceeded timeout, disconnecting.`,
    );
    const gzip = gzipSync(lines.join("\n"));
    await writeFile(file, gzip.subarray(0, Math.floor(gzip.length / 2)));
    try {
      await importFile(testDb.db, { filePath: file, format: getRecordFormat("mosquitto") as RecordFormat });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const letters = await lettersWhere({ topic: `import:mosquitto:${device}.log.gz` });
    expect(letters).toMatchObject([{ error: expect.stringContaining("the gzip file breaks off"), payload: "" }]);
    expect(await reprocess(letters)).toMatchObject({
      resolved: 0,
      stillFailing: [{ error: expect.stringMatching(/^nothing of this input was kept/) }],
    });
  });

  it("dead letters kept before their topic named a parser say plainly that they cannot be re-processed", async () => {
    const device = `legacy-${tag()}`;
    const source = `legacy-${tag()}`;
    await writeSourceBatch(testDb.db, {
      source,
      events: [],
      deadLetters: [
        {
          source,
          topic: `refused-event:${device}`,
          error: "the database refused this event: x",
          payload: JSON.stringify(awsPresence(device)),
        },
        { source, topic: `upload:${device}`, error: "recent_drops[0]: bad", payload: "{}" },
        { source, topic: null, error: `Not device evidence Linkscope reads (device ${device})`, payload: "{}" },
      ],
    });
    const result = await reprocessDeadLetters(testDb.db, { source });
    expect(result).toMatchObject({ examined: 3, resolved: 0 });
    expect(result.stillFailing.map((failure) => failure.error)).toEqual([
      expect.stringMatching(/^cannot be re-processed: this event was refused by the database before Linkscope kept the record/),
      expect.stringMatching(/^cannot be re-processed: this upload entry was kept before Linkscope recorded which reader/),
      expect.stringMatching(/^cannot be re-processed: this dead letter does not record where it came from/),
    ]);
  });
});
