import net from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import { pino } from "pino";
import { z } from "zod";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker";

const LIFECYCLE_FILTER = "$SYS/brokers/+/clients/#";
const WAIT_MS = 10_000;
const log = pino({ level: process.env.LOG_LEVEL ?? "silent" });

const CommonSchema = {
  clientid: z.string(),
  username: z.string().nullable(),
  ipaddress: z.string(),
  sockport: z.number().int(),
  protocol: z.literal("mqtt"),
  proto_name: z.string(),
  proto_ver: z.number().int(),
  connected_at: z.number().int(),
  ts: z.number().int(),
  client_attrs: z.strictObject({}),
};
const ConnectedSchema = z.strictObject({
  ...CommonSchema,
  keepalive: z.number().int(),
  clean_start: z.boolean(),
  expiry_interval: z.number().int(),
  receive_maximum: z.number().int(),
  conn_props: z.strictObject({}),
});
const DisconnectedSchema = z.strictObject({
  ...CommonSchema,
  reason: z.string().min(1),
  disconnected_at: z.number().int(),
  disconn_props: z.strictObject({}),
});
const ConnackSchema = z.strictObject({
  reason_code: z.string().min(1),
  clientid: z.string(),
  username: z.string().nullable(),
  peername: z.string(),
  sockname: z.string(),
  proto_name: z.string(),
  proto_ver: z.number().int(),
  keepalive: z.number().int(),
  clean_start: z.boolean(),
  expiry_interval: z.number().int(),
  connected_at: z.number().int(),
  conn_props: z.strictObject({}),
  event: z.literal("client.connack"),
  timestamp: z.number().int(),
  node: z.string(),
});

type Received =
  | { topic: string; event: "connected"; payload: z.infer<typeof ConnectedSchema> }
  | { topic: string; event: "disconnected"; payload: z.infer<typeof DisconnectedSchema> }
  | { topic: string; event: "connack"; payload: z.infer<typeof ConnackSchema> }
  | { topic: string; event: "other"; payload: string };

function parseMessage(topic: string, payload: Buffer): Received {
  const event = topic.split("/").at(-1);
  const body: unknown = (() => {
    try {
      return JSON.parse(payload.toString("utf8"));
    } catch {
      return payload.toString("utf8");
    }
  })();
  // Strict parsing makes a missing, extra or mistyped field fail the test that waits for the message.
  if (event === "connected") return { topic, event, payload: ConnectedSchema.parse(body) };
  if (event === "disconnected") return { topic, event, payload: DisconnectedSchema.parse(body) };
  if (event === "connack") return { topic, event, payload: ConnackSchema.parse(body) };
  return { topic, event: "other", payload: String(payload) };
}

/** A subscriber that records every message and lets a test wait for one matching a predicate. */
class Collector {
  readonly messages: Received[] = [];
  private readonly listeners = new Set<() => void>();
  client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    readonly clientId: string,
  ) {}

  async connect(): Promise<void> {
    const client = mqtt.connect(this.url, { clientId: this.clientId, clean: false, reconnectPeriod: 0, protocolVersion: 4 });
    // Attached before CONNACK so messages queued while offline are not missed.
    client.on("message", (topic, payload) => {
      this.messages.push(parseMessage(topic, payload));
      for (const listener of this.listeners) listener();
    });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    this.client = client;
  }

  async subscribe(): Promise<void> {
    await this.client?.subscribeAsync(LIFECYCLE_FILTER, { qos: 1 });
  }

  async disconnect(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  waitFor<E extends Received["event"]>(
    event: E,
    clientId: string,
    extra: (message: Extract<Received, { event: E }>) => boolean = () => true,
  ): Promise<Extract<Received, { event: E }>> {
    const find = () =>
      this.messages.find(
        (message): message is Extract<Received, { event: E }> =>
          message.event === event &&
          typeof message.payload !== "string" &&
          message.payload.clientid === clientId &&
          extra(message as Extract<Received, { event: E }>),
      );
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${event} for ${clientId} within ${WAIT_MS} ms; saw ${this.messages.map((m) => m.topic).join(", ")}`));
      }, WAIT_MS);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  indexOf(message: Received): number {
    return this.messages.indexOf(message);
  }
}

function uniqueId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

function connectDevice(url: string, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4, ...options });
}

function waitForClose(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) {
      resolve();
      return;
    }
    const timer = setTimeout(() => reject(new Error(`${client.options.clientId} still connected after ${WAIT_MS} ms`)), WAIT_MS);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A raw TCP client: sends CONNECT and then nothing, so no PINGREQ ever reaches the broker. */
async function connectSilently(port: number, clientId: string, keepalive: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  socket.write(mqttPacket.generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId, keepalive }));
  return socket;
}

describe("embedded broker lifecycle events", () => {
  let broker: EmbeddedBroker;
  let collector: Collector;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      port: 0,
      log,
      authenticate: async ({ username, password }) => {
        await Promise.resolve();
        if (username === "denied") return { ok: false, returnCode: 5 };
        if (password?.toString("utf8") === "wrong") return { ok: false, returnCode: 4 };
        if (username === "expiring") return { ok: true, expiresAt: Date.now() + 1_000 };
        return { ok: true };
      },
    });
    collector = new Collector(broker.url, uniqueId("collector"));
    await collector.connect();
    await collector.subscribe();
  });

  afterAll(async () => {
    await collector?.disconnect();
    await broker?.stop();
  });

  it("publishes connected, then disconnected with reason normal after a clean DISCONNECT", async () => {
    const clientId = uniqueId("dev-normal");
    const device = await connectDevice(broker.url, { clientId, username: "alice", password: "secret", keepalive: 30 });
    const connected = await collector.waitFor("connected", clientId);
    await device.endAsync();
    const disconnected = await collector.waitFor("disconnected", clientId);

    expect(connected.topic).toBe(`$SYS/brokers/${broker.nodeName}/clients/${clientId}/connected`);
    expect(connected.payload).toMatchObject({
      clientid: clientId,
      username: "alice",
      ipaddress: "127.0.0.1",
      sockport: broker.port,
      protocol: "mqtt",
      proto_name: "MQTT",
      proto_ver: 4,
      keepalive: 30,
      clean_start: true,
      expiry_interval: 0,
      receive_maximum: 65_535,
    });
    expect(connected.payload.ts).toBeGreaterThanOrEqual(connected.payload.connected_at);
    expect(disconnected.topic).toBe(`$SYS/brokers/${broker.nodeName}/clients/${clientId}/disconnected`);
    expect(disconnected.payload).toMatchObject({
      clientid: clientId,
      username: "alice",
      reason: "normal",
      connected_at: connected.payload.connected_at,
      ipaddress: "127.0.0.1",
      sockport: broker.port,
    });
    expect(disconnected.payload.disconnected_at).toBeGreaterThanOrEqual(connected.payload.connected_at);
    expect(collector.indexOf(connected)).toBeLessThan(collector.indexOf(disconnected));
  });

  it("reports tcp_closed when the socket closes without DISCONNECT", async () => {
    const clientId = uniqueId("dev-abrupt");
    const device = await connectDevice(broker.url, { clientId });
    const connected = await collector.waitFor("connected", clientId);
    device.stream.destroy();
    const disconnected = await collector.waitFor("disconnected", clientId);
    expect(disconnected.payload.reason).toBe("tcp_closed");
    expect(disconnected.payload.connected_at).toBe(connected.payload.connected_at);
    device.end(true);
  });

  it("reports the POSIX error atom, EMQX-style, when the socket is reset", async () => {
    const clientId = uniqueId("dev-reset");
    const device = await connectDevice(broker.url, { clientId });
    await collector.waitFor("connected", clientId);
    const socket = device.stream;
    if (!(socket instanceof net.Socket)) throw new Error("expected a TCP socket");
    socket.resetAndDestroy();
    const disconnected = await collector.waitFor("disconnected", clientId);
    expect(disconnected.payload.reason).toBe("econnreset");
    device.end(true);
  });

  it("reports keepalive_timeout about 1.5 x keepalive after the last packet", async () => {
    const clientId = uniqueId("dev-silent");
    const socket = await connectSilently(broker.port, clientId, 1);
    try {
      const connected = await collector.waitFor("connected", clientId);
      const disconnected = await collector.waitFor("disconnected", clientId);
      expect(disconnected.payload.reason).toBe("keepalive_timeout");
      const silentFor = disconnected.payload.disconnected_at - connected.payload.connected_at;
      expect(silentFor).toBeGreaterThanOrEqual(1_400);
      expect(silentFor).toBeLessThan(3_000);
      expect(connected.payload.keepalive).toBe(1);
    } finally {
      socket.destroy();
    }
  });

  it("reports takenover for the old connection when a clean_start=false connection reuses its id", async () => {
    const clientId = uniqueId("dev-dup");
    const first = await connectDevice(broker.url, { clientId, clean: false });
    const firstConnected = await collector.waitFor("connected", clientId);
    const second = await connectDevice(broker.url, { clientId, clean: false });
    const secondConnected = await collector.waitFor("connected", clientId, (m) => m !== firstConnected);
    const disconnected = await collector.waitFor("disconnected", clientId);

    expect(disconnected.payload.reason).toBe("takenover");
    expect(disconnected.payload.connected_at).toBe(firstConnected.payload.connected_at);
    expect(secondConnected.payload.connected_at).toBeGreaterThan(firstConnected.payload.connected_at);
    expect(secondConnected.payload.clean_start).toBe(false);
    expect(collector.indexOf(disconnected)).toBeLessThan(collector.indexOf(secondConnected));
    await waitForClose(first);
    await second.endAsync();
    const secondDisconnected = await collector.waitFor("disconnected", clientId, (m) => m !== disconnected);
    expect(secondDisconnected.payload).toMatchObject({ reason: "normal", connected_at: secondConnected.payload.connected_at });
    // One disconnected per connection: the socket-close fallback must not report a connection twice.
    expect(collector.messages.filter((m) => m.event === "disconnected" && m.payload.clientid === clientId)).toHaveLength(2);
    first.end(true);
  });

  it("reports discarded for the old connection when a clean_start=true connection reuses its id", async () => {
    const clientId = uniqueId("dev-dup-clean");
    const first = await connectDevice(broker.url, { clientId, clean: true });
    const firstConnected = await collector.waitFor("connected", clientId);
    const second = await connectDevice(broker.url, { clientId, clean: true });
    const disconnected = await collector.waitFor("disconnected", clientId);
    const secondConnected = await collector.waitFor("connected", clientId, (m) => m !== firstConnected);

    expect(disconnected.payload.reason).toBe("discarded");
    expect(disconnected.payload.connected_at).toBe(firstConnected.payload.connected_at);
    expect(collector.indexOf(disconnected)).toBeLessThan(collector.indexOf(secondConnected));
    await second.endAsync();
    first.end(true);
  });

  it("publishes a client.connack event with bad_username_or_password for a wrong password", async () => {
    const clientId = uniqueId("dev-badpass");
    await expect(connectDevice(broker.url, { clientId, username: "bob", password: "wrong", keepalive: 20 })).rejects.toThrow();
    const connack = await collector.waitFor("connack", clientId);
    expect(connack.topic).toBe(`$SYS/brokers/${broker.nodeName}/clients/${clientId}/connack`);
    expect(connack.payload).toMatchObject({
      reason_code: "bad_username_or_password",
      clientid: clientId,
      username: "bob",
      sockname: `127.0.0.1:${broker.port}`,
      proto_name: "MQTT",
      proto_ver: 4,
      keepalive: 20,
      clean_start: true,
      expiry_interval: 0,
      event: "client.connack",
      node: broker.nodeName,
    });
    expect(connack.payload.peername).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(collector.messages.some((m) => m.event === "connected" && m.payload.clientid === clientId)).toBe(false);
  });

  it("publishes a client.connack event with not_authorized when authentication denies the client", async () => {
    const clientId = uniqueId("dev-denied");
    await expect(connectDevice(broker.url, { clientId, username: "denied", password: "x" })).rejects.toThrow();
    const connack = await collector.waitFor("connack", clientId);
    expect(connack.payload.reason_code).toBe("not_authorized");
  });

  it("publishes a client.connack event with unsupported_protocol_version for an MQTT 5 client", async () => {
    const clientId = uniqueId("dev-v5");
    await expect(connectDevice(broker.url, { clientId, protocolVersion: 5 })).rejects.toThrow();
    const connack = await collector.waitFor("connack", clientId);
    expect(connack.payload).toMatchObject({ reason_code: "unsupported_protocol_version", proto_ver: 5 });
  });

  it("disconnects with reason not_authorized when the credentials expire", async () => {
    const clientId = uniqueId("dev-expiring");
    const device = await connectDevice(broker.url, { clientId, username: "expiring", password: "token" });
    const connected = await collector.waitFor("connected", clientId);
    const disconnected = await collector.waitFor("disconnected", clientId);
    expect(disconnected.payload.reason).toBe("not_authorized");
    expect(disconnected.payload.disconnected_at - connected.payload.connected_at).toBeGreaterThanOrEqual(900);
    await waitForClose(device);
    device.end(true);
  });

  it("disconnects with reason kicked on kickClient, and returns false for an unknown id", async () => {
    const clientId = uniqueId("dev-kick");
    const device = await connectDevice(broker.url, { clientId });
    await collector.waitFor("connected", clientId);
    expect(broker.kickClient(clientId)).toBe(true);
    const disconnected = await collector.waitFor("disconnected", clientId);
    expect(disconnected.payload.reason).toBe("kicked");
    expect(broker.kickClient(clientId)).toBe(false);
    expect(broker.kickClient(uniqueId("nobody"))).toBe(false);
    await waitForClose(device);
    device.end(true);
  });

  it("encodes client ids with /, #, +, spaces and unicode in the topic and keeps them raw in the payload", async () => {
    const clientId = `a/b #+ é ${randomUUID().slice(0, 4)}`;
    const device = await connectDevice(broker.url, { clientId });
    const connected = await collector.waitFor("connected", clientId);
    await device.endAsync();
    const disconnected = await collector.waitFor("disconnected", clientId);
    const segment = encodeURIComponent(clientId);
    expect(segment).not.toMatch(/[/#+ ]/);
    expect(connected.topic).toBe(`$SYS/brokers/${broker.nodeName}/clients/${segment}/connected`);
    expect(disconnected.topic).toBe(`$SYS/brokers/${broker.nodeName}/clients/${segment}/disconnected`);
    expect(connected.payload.clientid).toBe(clientId);
    expect(disconnected.payload.reason).toBe("normal");
  });

  it("queues lifecycle events for a persistent subscriber while it is offline", async () => {
    const offline = new Collector(broker.url, uniqueId("offline-sub"));
    await offline.connect();
    await offline.subscribe();
    await offline.disconnect();

    const clientId = uniqueId("dev-while-offline");
    const device = await connectDevice(broker.url, { clientId });
    await collector.waitFor("connected", clientId);
    await device.endAsync();
    // The live collector seeing the disconnect means the broker has routed (and queued) it too.
    await collector.waitFor("disconnected", clientId);

    const resumed = new Collector(broker.url, offline.clientId);
    await resumed.connect();
    try {
      const connected = await resumed.waitFor("connected", clientId);
      const disconnected = await resumed.waitFor("disconnected", clientId);
      expect(disconnected.payload.reason).toBe("normal");
      expect(disconnected.payload.connected_at).toBe(connected.payload.connected_at);
    } finally {
      await resumed.disconnect();
    }
  });

  it("does not let an ordinary client publish under $SYS/", async () => {
    const clientId = uniqueId("dev-forger");
    const forgedTopic = `$SYS/brokers/${broker.nodeName}/clients/forged/connected`;
    const device = await connectDevice(broker.url, { clientId });
    await collector.waitFor("connected", clientId);
    device.publish(forgedTopic, JSON.stringify({ clientid: "forged" }), { qos: 1 });
    const disconnected = await collector.waitFor("disconnected", clientId);
    expect(disconnected.payload.reason).toBe("not_authorized");
    expect(collector.messages.some((m) => m.topic === forgedTopic)).toBe(false);
    await waitForClose(device);
    device.end(true);
  });
});

describe("embedded broker clock and shutdown", () => {
  it("uses the injected clock and keeps connected_at unique per client id", async () => {
    const fixedNow = 1_700_000_000_000;
    const broker = await startEmbeddedBroker({ log, now: () => fixedNow, nodeName: "test@fixed-clock" });
    const collector = new Collector(broker.url, uniqueId("collector"));
    try {
      await collector.connect();
      await collector.subscribe();
      const clientId = uniqueId("dev-clock");
      for (let round = 0; round < 2; round += 1) {
        const device = await connectDevice(broker.url, { clientId });
        await device.endAsync();
      }
      const first = await collector.waitFor("disconnected", clientId);
      const second = await collector.waitFor("disconnected", clientId, (m) => m !== first);
      expect(first.topic.startsWith("$SYS/brokers/test@fixed-clock/clients/")).toBe(true);
      expect(first.payload).toMatchObject({ connected_at: fixedNow, disconnected_at: fixedNow, ts: fixedNow });
      expect(second.payload.connected_at).toBe(fixedNow + 1);
    } finally {
      await collector.disconnect();
      await broker.stop();
    }
  });

  it("stop() closes connected clients and sockets that never sent CONNECT, and frees the port", async () => {
    const broker = await startEmbeddedBroker({ log });
    const device = await connectDevice(broker.url, { clientId: uniqueId("dev-stop") });
    const idle = net.connect(broker.port, "127.0.0.1");
    await new Promise<void>((resolve) => idle.once("connect", () => resolve()));
    const idleClosed = new Promise<void>((resolve) => idle.once("close", () => resolve()));

    await broker.stop();
    await Promise.all([waitForClose(device), idleClosed]);
    await broker.stop();

    const probe = net.connect(broker.port, "127.0.0.1");
    const refused = await new Promise<boolean>((resolve) => {
      probe.once("error", () => resolve(true));
      probe.once("connect", () => resolve(false));
    });
    probe.destroy();
    expect(refused).toBe(true);
    device.end(true);
  });
});
