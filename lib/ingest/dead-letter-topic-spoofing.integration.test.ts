import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAgentDrop, makeAgentExport, makeAgentMetrics } from "@/lib/testing/factories.ts";
import { startIngestWorkerFixture, type IngestWorkerFixture } from "@/lib/testing/ingest-worker-fixture.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { AGENT_EXPORT_READER } from "./import-agent-export.ts";
import { reprocessDeadLetters } from "./reprocess-dead-letters.ts";

// A dead letter's topic names the parser that reads it again (decision 082). An MQTT message's topic is chosen by
// whoever publishes it: a device on a broker read with a wide filter (`#`) could name our own kinds of topic and have
// re-processing read its payload as another device's upload or as another source's webhook (decision 085).
let fixture: IngestWorkerFixture;

beforeAll(async () => {
  fixture = await startIngestWorkerFixture({ topics: ["#"] });
});

afterAll(async () => {
  await fixture.stop();
});

function agentExportOf(deviceId: string): string {
  const drop = makeAgentDrop(new Date(Date.now() - 60_000).toISOString());
  return JSON.stringify(makeAgentExport(deviceId, { metrics: makeAgentMetrics({ totalDrops: 1 }), recentDrops: [drop] }));
}

function awsPresence(clientId: string): string {
  return JSON.stringify({
    clientId,
    timestamp: Date.now() - 60_000,
    eventType: "connected",
    sessionIdentifier: randomUUID(),
    principalIdentifier: "p",
    versionNumber: 1,
    ipAddress: "192.0.2.1",
  });
}

describe("dead letters of MQTT messages whose topic a device chose", () => {
  it("are read again by the source's own adapter, never as a device upload, a refused record or another source's webhook", async () => {
    const tag = randomUUID().slice(0, 8);
    const victims = { upload: `victim-upload-${tag}`, refused: `victim-refused-${tag}`, webhook: `victim-webhook-${tag}` };
    const crafted: [string, string][] = [
      [`device-upload:${AGENT_EXPORT_READER}:${victims.upload}`, agentExportOf(victims.upload)],
      [`refused:device-upload:${AGENT_EXPORT_READER}:${victims.refused}`, agentExportOf(victims.refused)],
      ["webhook:aws-iot", awsPresence(victims.webhook)],
      [`import:aws-iot:${tag}.json`, awsPresence(victims.webhook)],
    ];
    const device = await mqtt.connectAsync(fixture.broker.url, { clientId: `device-${tag}` });
    try {
      for (const [topic, payload] of crafted) await device.publishAsync(topic, payload, { qos: 1 });
    } finally {
      await device.endAsync();
    }
    const letters = await waitFor(
      () => fixture.testDb.db.deadLetter.findMany({ where: { source: "emqx" } }),
      (rows) => rows.length === crafted.length,
    );
    expect(letters).toHaveLength(crafted.length);

    const result = await reprocessDeadLetters(fixture.testDb.db, { ids: letters.map((row) => row.id) });
    expect(result).toMatchObject({ examined: crafted.length, resolved: 0, events: 0 });
    expect(await fixture.testDb.db.connectionEvent.count({ where: { deviceId: { in: Object.values(victims) } } })).toBe(0);
    for (const row of await fixture.testDb.db.deadLetter.findMany({ where: { source: "emqx" } })) {
      expect(row.error).toMatch(/EMQX|emqx/);
    }
  });
});
