import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkscopeAgent, type LinkscopeAgent, type LinkscopeAgentOptions } from "@/lib/agent/linkscope-agent.ts";
import { listDeviceSamples } from "@/lib/device-evidence/device-samples.ts";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { InvalidInputError } from "@/lib/errors/domain-errors.ts";
import { importAgentExport } from "@/lib/ingest/import-agent-export.ts";
import { startIngestWorker, type IngestWorker } from "@/lib/ingest/ingest-worker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getDeviceAgentContext } from "@/lib/queries/get-device-agent-context.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { getMqttSourceAdapter } from "./registry.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// Agent → its report topic on a real broker → an ingest worker running the linkscope-agent adapter → Postgres,
// next to a worker for the broker's own lifecycle events (as `npm start` runs them).

const log = createLogger("agent-ingest-test");
log.level = "silent";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let broker: EmbeddedBroker;
const workers: IngestWorker[] = [];
const agents: LinkscopeAgent[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  broker = await startEmbeddedBroker({ log });
  for (const source of ["emqx", "linkscope-agent"]) {
    workers.push(
      await startIngestWorker({
        db: testDb.db,
        log,
        mqttUrl: broker.url,
        adapter: getMqttSourceAdapter(source),
        clientId: `ingest-${source}-${randomUUID()}`,
        heartbeatIntervalMs: 500,
      }),
    );
  }
  await waitFor(async () => workers.every((w) => w.stats().subscribed), Boolean);
});

afterAll(async () => {
  for (const agent of agents) await agent.stop({ force: true });
  for (const worker of workers) await worker.stop();
  await broker?.stop();
  await testDb?.drop();
});

function startAgent(deviceId: string, vitals?: LinkscopeAgentOptions["vitals"]): LinkscopeAgent {
  const agent = createLinkscopeAgent({
    deviceId,
    brokerUrl: broker.url,
    config: { initialReconnectDelayMs: 100, jitterRatio: 0 },
    ...(vitals ? { vitals } : {}),
  });
  agents.push(agent);
  void agent.start();
  return agent;
}

describe("agent reports through the linkscope-agent ingest worker", () => {
  it("stores the device's account of a drop next to the broker's, without touching device state", async () => {
    const deviceId = `agent dev/${randomUUID().slice(0, 6)}#ü`;
    const agent = startAgent(deviceId);
    await waitFor(async () => agent.isConnected(), Boolean);
    agent.reportSystemEvent("dhcp_renewal", "lease renewed on eth0");
    broker.kickClient(deviceId);
    const events = await waitFor(
      () => testDb.db.connectionEvent.findMany({ where: { deviceId }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] }),
      (rows) => rows.filter((r) => r.kind === "device_report").length >= 4 && rows.filter((r) => r.kind === "connected").length >= 2,
    );
    const reports = events.filter((e) => e.kind === "device_report").map((e) => e.code);
    // A kicked client sees the broker's close either cleanly or as a reset, depending on timing: both are the drop.
    expect(reports).toEqual([
      "connack:0",
      "agent:system_event:dhcp_renewal",
      expect.stringMatching(/^agent:(CONNECTION_CLOSED|ECONNRESET)$/),
      "connack:0",
    ]);
    expect(events.find((e) => e.kind === "disconnected")).toMatchObject({ code: "emqx:kicked", reason: "admin_disconnect" });
    const device = await testDb.db.device.findUniqueOrThrow({ where: { id: deviceId } });
    expect(device.state).toBe("online");

    const context = await getDeviceAgentContext(testDb.db, { deviceId, limit: 10 });
    expect(context.metrics).toMatchObject({ totalDrops: 1, totalRecoveries: 1, systemEvents: 1 });
    expect(context.events[0]?.type).toBe("connection");

    // The device's own export holds the same events: uploading it stores nothing twice.
    const imported = await importAgentExport(testDb.db, { deviceId, body: agent.exportJson() });
    expect(imported).toMatchObject({ events: 4, accepted: 0, duplicate: 4, rejected: 0 });
  });

  it("stores the signal and vitals the application supplies, with the publish counts, as device samples", async () => {
    const deviceId = `vitals dev/${randomUUID().slice(0, 6)}`;
    let rssi = -60;
    const agent = startAgent(deviceId, {
      read: () => ({ rssiDbm: (rssi -= 1), batteryPct: 81, freeMemoryBytes: 48_000, uptimeSec: 3600 }),
      intervalMs: 50,
    });
    await waitFor(async () => agent.isConnected(), Boolean);
    agent.publish(`telemetry/${randomUUID()}`, "21.5");
    const samples = await waitFor(
      () => listDeviceSamples(testDb.db, { deviceId, from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 60_000) }),
      // The connection report (QoS 1) and the readings (QoS 0) take separate paths through broker and worker: wait for
      // both kinds, not for the readings alone.
      (rows) =>
        rows.filter((row) => row.rssiDbm !== null && row.publishedMessages === 1).length >= 2 && rows.some((row) => row.rssiDbm === null),
    );
    expect(samples.find((row) => row.rssiDbm !== null)).toMatchObject({
      series: agent.agentId,
      batteryPct: 81,
      freeMemoryBytes: 48_000,
      uptimeSec: 3600,
    });
    // The connection report carries the publish count too (0 then), and no vitals reading became an event.
    expect(samples.some((row) => row.rssiDbm === null && row.publishedMessages === 0)).toBe(true);
    expect(await testDb.db.connectionEvent.count({ where: { deviceId, kind: "device_report" } })).toBe(1);
  });

  it("rejects uploads that are not exports of this device, and keeps them as dead letters", async () => {
    const deviceId = `upload-${randomUUID().slice(0, 8)}`;
    const other = createLinkscopeAgent({ deviceId: "someone-else", brokerUrl: broker.url });
    const before = await testDb.db.deadLetter.count();
    await expect(importAgentExport(testDb.db, { deviceId, body: other.exportJson() })).rejects.toMatchObject({
      kind: "invalid",
      code: "device_mismatch",
    });
    await expect(importAgentExport(testDb.db, { deviceId, body: "{ nope" })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      importAgentExport(testDb.db, { deviceId, body: JSON.stringify({ format: "linkscope-agent-export", version: 1 }) }),
    ).rejects.toMatchObject({ code: "invalid_export" });
    await expect(importAgentExport(testDb.db, { deviceId, body: "x".repeat(3 * 1024 * 1024) })).rejects.toMatchObject({
      kind: "too_large",
    });
    expect(await testDb.db.deadLetter.count()).toBe(before + 3);
    await other.stop({ force: true });
  });

  it("lets no device publish reports for another: the broker disconnects it (not_authorized)", async () => {
    const liar = startAgent(`liar-${randomUUID().slice(0, 8)}`);
    await waitFor(async () => liar.isConnected(), Boolean);
    const forged = JSON.parse(liar.exportJson()) as { deviceId: string };
    liar.client.publish("linkscope/agent/victim/report", JSON.stringify({ ...forged, deviceId: "victim" }), { qos: 1 });
    const events = await waitFor(
      () => testDb.db.connectionEvent.findMany({ where: { deviceId: liar.deviceId, kind: "disconnected" } }),
      (rows) => rows.length > 0,
    );
    expect(events[0]).toMatchObject({ code: "emqx:not_authorized" });
    expect(await testDb.db.connectionEvent.count({ where: { deviceId: "victim" } })).toBe(0);
  });
});
