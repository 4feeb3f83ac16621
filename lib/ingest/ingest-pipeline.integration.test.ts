import { randomUUID } from "node:crypto";
import net from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { getMqttSourceAdapter } from "@/lib/sources/registry.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { startIngestWorker, type IngestWorker } from "./ingest-worker.ts";

// The whole live path with real parts: real MQTT.js devices → embedded broker (EMQX-format lifecycle events) →
// ingest worker → Postgres. Each fault is produced by a real mechanism, never by publishing a fake event.

const log = createLogger("test");
log.level = "silent";
const EXPIRING_PASSWORD = "expires-soon";

const testDb = useTestDatabase();
let broker: EmbeddedBroker;
let worker: IngestWorker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    log,
    authenticate: ({ password }) => {
      const text = password?.toString() ?? "";
      if (text === "wrong") return { ok: false, returnCode: 4 };
      if (text === EXPIRING_PASSWORD) return { ok: true, expiresAt: Date.now() + 1500 };
      return { ok: true };
    },
  });
  worker = await startIngestWorker({
    db: testDb.db,
    log,
    mqttUrl: broker.url,
    adapter: getMqttSourceAdapter("emqx"),
    clientId: `ingest-${randomUUID()}`,
    heartbeatIntervalMs: 500,
  });
  await waitFor(async () => worker.stats().subscribed, Boolean);
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await worker?.stop();
  await broker?.stop();
});

function device(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

async function connect(clientId: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, { clientId, reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

const eventsOf = (deviceId: string) =>
  testDb.db.connectionEvent.findMany({ where: { deviceId }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] });
const sessionsOf = (deviceId: string) => testDb.db.session.findMany({ where: { deviceId }, orderBy: { startedAt: "asc" } });

/** MQTT 3.1.1 CONNECT with a 1 s keepalive, written by hand so the "device" can then go silent like a hung one. */
function connectPacket(clientId: string, keepaliveSec: number): Buffer {
  const id = Buffer.from(clientId, "utf8");
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, keepaliveSec]);
  const payload = Buffer.concat([Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  const remaining = variable.length + payload.length;
  return Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]);
}

describe("live ingest from the embedded broker", () => {
  it("records a clean disconnect as client_disconnect and closes the session", async () => {
    const id = device("clean");
    const client = await connect(id);
    await client.endAsync();
    const events = await waitFor(
      () => eventsOf(id),
      (e) => e.length >= 2,
    );
    expect(events.map((e) => [e.kind, e.reason, e.code])).toEqual([
      ["connected", "connected", null],
      ["disconnected", "client_disconnect", "emqx:normal"],
    ]);
    const sessions = await sessionsOf(id);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ endReason: "client_disconnect", endInferred: false, clientIp: "127.0.0.1" });
    // The session spans exactly its two events (durationMs is clamped at 0 in SQL, so only equality can fail).
    expect(sessions[0]).toMatchObject({ startedAt: events[0]!.occurredAt, endedAt: events[1]!.occurredAt });
    expect(Number(sessions[0]!.durationMs)).toBe(events[1]!.occurredAt.getTime() - events[0]!.occurredAt.getTime());
    const stored = await testDb.db.device.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ state: "offline", connectCount: 1, disconnectCount: 1 });
  });

  it("records a dropped socket as connection_lost initiated by the network", async () => {
    const id = device("lost");
    const client = await connect(id);
    client.stream.destroy();
    const events = await waitFor(
      () => eventsOf(id),
      (e) => e.length >= 2,
    );
    expect(events[1]).toMatchObject({ kind: "disconnected", reason: "connection_lost", initiator: "network", code: "emqx:tcp_closed" });
  });

  it("records a hung device as keepalive_timeout about 1.5 × keepalive after its last packet", async () => {
    const id = device("hung");
    const socket = net.connect(broker.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.on("error", () => undefined);
    socket.write(connectPacket(id, 1));
    const events = await waitFor(
      () => eventsOf(id),
      (e) => e.length >= 2,
    );
    socket.destroy();
    expect(events[1]).toMatchObject({
      kind: "disconnected",
      reason: "keepalive_timeout",
      code: "emqx:keepalive_timeout",
      keepaliveSec: null,
    });
    // Never before 1.5 × keepalive; a loaded machine may run the broker's timer late, so no upper bound.
    const gapMs = events[1]!.occurredAt.getTime() - events[0]!.occurredAt.getTime();
    expect(gapMs).toBeGreaterThanOrEqual(1400);
    expect(events[0]!.keepaliveSec).toBe(1);
  });

  it("records a takeover by a second client with the same ID and keeps the device online", async () => {
    const id = device("dup");
    await connect(id);
    await connect(id);
    const events = await waitFor(
      () => eventsOf(id),
      (e) => e.length >= 3,
    );
    expect(events.filter((e) => e.kind === "connected")).toHaveLength(2);
    expect(events.find((e) => e.kind === "disconnected")).toMatchObject({ reason: "session_taken_over", code: "emqx:discarded" });
    const sessions = await waitFor(
      () => sessionsOf(id),
      (s) => s.length === 2 && s[0]!.endReason === "session_taken_over",
    );
    expect(sessions[0]).toMatchObject({ endReason: "session_taken_over", endInferred: false });
    expect(sessions[1]?.endedAt).toBeNull();
    const stored = await testDb.db.device.findUniqueOrThrow({ where: { id } });
    expect(stored.state).toBe("online");
  });

  it("records a refused connect with a wrong password as connect_failed auth_failed", async () => {
    const id = device("badauth");
    await expect(mqtt.connectAsync(broker.url, { clientId: id, username: "u", password: "wrong", reconnectPeriod: 0 })).rejects.toThrow();
    const events = await waitFor(
      () => eventsOf(id),
      (e) => e.length >= 1,
    );
    expect(events[0]).toMatchObject({
      kind: "connect_failed",
      reason: "auth_failed",
      code: "emqx:bad_username_or_password",
      username: "u",
    });
    expect(await sessionsOf(id)).toHaveLength(0);
    const stored = await testDb.db.device.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ state: "offline", failedConnectCount: 1 });
  });

  it("records credentials expiring mid-session as not_authorized when the broker cuts the client", async () => {
    const id = device("expiry");
    await connect(id, { username: "u", password: EXPIRING_PASSWORD });
    const events = await waitFor(
      () => eventsOf(id),
      (e) => e.length >= 2,
    );
    expect(events[1]).toMatchObject({ kind: "disconnected", reason: "not_authorized", initiator: "server", code: "emqx:not_authorized" });
    const gapMs = events[1]!.occurredAt.getTime() - events[0]!.occurredAt.getTime();
    expect(gapMs).toBeGreaterThanOrEqual(1200);
  });

  it("keeps the worker's heartbeat current for /api/health", async () => {
    // A heartbeat written after this point proves the worker keeps beating (not just that it once did).
    const since = new Date();
    const status = await waitFor(
      () => testDb.db.workerStatus.findMany(),
      (rows) => rows.some((r) => r.brokerConnected && r.heartbeatAt > since),
    );
    expect(status.some((r) => r.brokerConnected && r.heartbeatAt > since)).toBe(true);
  });
});
