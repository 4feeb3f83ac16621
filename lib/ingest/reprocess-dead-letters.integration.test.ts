import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getIngestHealth } from "@/lib/queries/get-ingest-health.ts";
import { listDeadLetters } from "@/lib/queries/list-dead-letters.ts";
import { refuseInsertsWhere } from "@/lib/testing/refuse-inserts.ts";
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
    expect(result.stillFailing).toEqual([{ id: expect.any(BigInt), error: expect.stringContaining("is not JSON") }]);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: { startsWith: device } } })).toBe(2);
    // It stays open with today's reason.
    expect(await listDeadLetters(testDb.db, { source, limit: 10 })).toMatchObject([{ error: expect.stringContaining("is not JSON") }]);
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
