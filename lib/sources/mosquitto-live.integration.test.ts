import { randomUUID } from "node:crypto";
import net from "node:net";
import mqtt from "mqtt";
import mqttPacket from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngestWorker, type IngestWorker } from "@/lib/ingest/ingest-worker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { getMqttSourceAdapter } from "./registry.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// A real Mosquitto (the machine's 2.0.x binary) on a free loopback port with `log_dest topic`, real clients and
// raw sockets producing each fault, the live worker reading `$SYS/broker/log/#`, and Postgres.
const log = createLogger("test");
log.level = "silent";

let broker: TestMosquitto;
let port: number;
const testDb = useTestDatabase();
let worker: IngestWorker;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  broker = await startTestMosquitto({ users: { alice: "right-password" } });
  port = broker.port;

  worker = await startIngestWorker({
    db: testDb.db,
    log,
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    adapter: getMqttSourceAdapter("mosquitto"),
    clientId: `ingest-${randomUUID()}`,
    sourceName: "mosquitto-test",
    brokerNode: `test-${port}`,
    flushIntervalMs: 20,
  });
  // Subscribed once a probe client's connect shows up in the database.
  const probe = `probe-${randomUUID().slice(0, 8)}`;
  await waitFor(
    async () => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: probe, reconnectPeriod: 0 });
      await client.endAsync();
      return testDb.db.connectionEvent.count({ where: { deviceId: probe } });
    },
    (n) => n > 0,
  );
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await worker?.stop();
  await broker?.stop();
});

function connectPacket(clientId: string, options: { keepalive?: number; username?: string; password?: string } = {}): Buffer {
  return mqttPacket.generate({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: options.keepalive ?? 60,
    ...(options.username ? { username: options.username, password: Buffer.from(options.password ?? "") } : {}),
  });
}

/** A raw TCP client: sends what it is told and nothing else (no PINGREQ, no DISCONNECT). */
async function rawClient(): Promise<{ socket: net.Socket; localPort: number; closed: Promise<void>; firstData: Promise<Buffer> }> {
  const socket = net.connect(port, "127.0.0.1");
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const firstData = new Promise<Buffer>((resolve) => socket.once("data", resolve));
  socket.on("error", () => undefined);
  // Read (and drop) what the broker sends; a paused socket never reports the broker's close.
  socket.resume();
  return { socket, localPort: socket.localPort ?? 0, closed, firstData };
}

const eventsOf = (deviceId: string) =>
  testDb.db.connectionEvent.findMany({ where: { deviceId }, orderBy: [{ occurredAt: "asc" }, { id: "asc" }] });
const lastDisconnect = async (deviceId: string) =>
  waitFor(
    async () => (await eventsOf(deviceId)).filter((e) => e.kind !== "connected").at(-1) ?? null,
    (e) => e !== null,
  );

describe("live Mosquitto log ingest", () => {
  it("clean disconnect → client_disconnect, device offline", async () => {
    const id = `clean-${randomUUID().slice(0, 8)}`;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, reconnectPeriod: 0 });
    await client.endAsync();
    const event = await lastDisconnect(id);
    expect(event).toMatchObject({
      kind: "disconnected",
      code: "mosquitto:disconnected",
      reason: "client_disconnect",
      initiator: "client",
      source: "mosquitto",
      brokerNode: `test-${port}`,
    });
    expect((await testDb.db.device.findUnique({ where: { id } }))?.state).toBe("offline");
  });

  it("killed client (socket dropped without DISCONNECT) → connection_lost", async () => {
    const id = `killed-${randomUUID().slice(0, 8)}`;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, reconnectPeriod: 0 });
    client.stream.destroy();
    const event = await lastDisconnect(id);
    expect(event).toMatchObject({ code: "mosquitto:closed-connection", reason: "connection_lost", initiator: "network" });
    client.end(true);
  });

  it("keepalive expiry → keepalive_timeout", async () => {
    const id = `silent-${randomUUID().slice(0, 8)}`;
    const { socket } = await rawClient();
    socket.write(connectPacket(id, { keepalive: 1 }));
    const event = await lastDisconnect(id);
    expect(event).toMatchObject({ code: "mosquitto:exceeded-timeout", reason: "keepalive_timeout", keepaliveSec: 1 });
  });

  it("client-ID takeover → session_taken_over on the old session, device stays online", async () => {
    const id = `dup-${randomUUID().slice(0, 8)}`;
    const first = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, reconnectPeriod: 0 });
    const second = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, reconnectPeriod: 0 });
    const event = await lastDisconnect(id);
    expect(event).toMatchObject({ code: "mosquitto:session-taken-over", reason: "session_taken_over" });
    const connects = await waitFor(
      async () => (await eventsOf(id)).filter((e) => e.kind === "connected"),
      (list) => list.length === 2,
    );
    expect(event?.sessionKey).toBe(connects[0]?.sessionKey);
    expect((await testDb.db.device.findUnique({ where: { id } }))?.state).toBe("online");
    first.end(true);
    await second.endAsync();
  });

  it("wrong password → auth_failed, attributed to the connection's address and port (Mosquitto 2.0.11 logs no client ID)", async () => {
    const { socket, localPort, closed } = await rawClient();
    socket.write(connectPacket(`wrongpw-${randomUUID().slice(0, 8)}`, { username: "alice", password: "wrong" }));
    await closed;
    const event = await waitFor(
      () => testDb.db.connectionEvent.findFirst({ where: { kind: "connect_failed", clientPort: localPort } }),
      (e) => e !== null,
    );
    expect(event).toMatchObject({
      deviceId: "<unknown>@127.0.0.1",
      code: "mosquitto:not-authorised",
      reason: "auth_failed",
      clientIp: "127.0.0.1",
      flags: ["client_id_unknown", "attributed_by_address"],
    });
  });

  it("protocol error (second CONNECT on one connection) → protocol_error for that client", async () => {
    const id = `double-${randomUUID().slice(0, 8)}`;
    const { socket, closed, firstData } = await rawClient();
    socket.write(connectPacket(id));
    // The broker's CONNACK (packet type 2) proves the first CONNECT was accepted before the second one is sent.
    expect((await firstData)[0]).toBe(0x20);
    socket.write(connectPacket(id));
    await closed;
    const event = await lastDisconnect(id);
    expect(event).toMatchObject({ kind: "disconnected", code: "mosquitto:protocol-error", reason: "protocol_error" });
  });

  it("counts the source on the ingest health counters", async () => {
    const rows = await testDb.db.ingestSourceMinute.findMany({ where: { source: "mosquitto-test" } });
    expect(rows.reduce((a, r) => a + r.inserted, 0)).toBeGreaterThan(5);
    expect(rows.some((r) => r.lagSamples > 0)).toBe(true);
  });
});
