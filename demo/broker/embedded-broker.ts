/**
 * Embedded MQTT broker (aedes, MQTT 3.1/3.1.1) that announces every connection's lifecycle in EMQX 5.x formats,
 * so Linkscope's ingest consumes a real vendor format even with no external broker:
 *
 *   $SYS/brokers/<node>/clients/<clientid>/connected     EMQX 5.x `$SYS` connected payload
 *   $SYS/brokers/<node>/clients/<clientid>/disconnected  EMQX 5.x `$SYS` disconnected payload, with `reason`
 *   $SYS/brokers/<node>/clients/<clientid>/connack       refused CONNECTs only: EMQX has no `$SYS` topic for them,
 *                                                        so this carries the rule-engine `client_connack` event payload
 *
 * `<clientid>` is `encodeURIComponent(clientid)` (ids may contain `/`, `#`, `+`); the payload's `clientid` is raw.
 * Messages are QoS 1, not retained, and queue for offline persistent (clean=false) subscribers. Clients may
 * subscribe to `$SYS/brokers/+/clients/#` but may not publish under `$SYS/` (such a client is disconnected with
 * reason `not_authorized`, as EMQX does with `authorization.deny_action = disconnect`).
 * Reasons, topics and payload fields are documented in demo/broker/emqx-lifecycle-format.ts.
 */
import type { EventEmitter } from "node:events";
import net, { type AddressInfo, type Socket } from "node:net";
import { Aedes } from "aedes";
import { z } from "zod";
import { createLogger, type Logger } from "@/lib/log/logger";
import { DEFAULT_NODE_NAME } from "@/demo/broker/emqx-lifecycle-format";
import { createLifecyclePublisher } from "@/demo/broker/lifecycle-publisher";
import { createLifecycleTracker, type Authenticate, type PublishRateLimit } from "@/demo/broker/lifecycle-tracker";

export type { Authenticate, AuthenticateInput, AuthenticateResult, PublishRateLimit } from "@/demo/broker/lifecycle-tracker";

export interface EmbeddedBrokerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  /** The EMQX-style node name in topics and connack events. */
  nodeName?: string;
  /** Default: allow everyone. `expiresAt` (epoch ms) disconnects the client then with reason `not_authorized`. */
  authenticate?: Authenticate;
  log?: Logger;
  /** Clock for every timestamp in lifecycle payloads and for credential expiry. */
  now?: () => number;
  /** Disconnects clients publishing faster than this (reason `message_rate_too_high`). Default: no limit. */
  publishRateLimit?: PublishRateLimit;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  nodeName: string;
  /** Disconnects the live client with this id (reason `kicked`); false when no such client is connected. */
  kickClient: (clientId: string) => boolean;
  /**
   * A node restart: every client is disconnected (reason `server_shutting_down`), the listener refuses
   * connections for `downMs`, then listens again on the same port. Sessions and queued QoS 1 messages survive,
   * as on a broker with durable session storage. Resolves when it listens again.
   */
  restart: (options: { downMs: number }) => Promise<{ disconnected: number }>;
  /** Closes every client socket and the listener. Idempotent. */
  stop: () => Promise<void>;
}

const EmbeddedBrokerSettingsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.literal("127.0.0.1").default("127.0.0.1"),
  nodeName: z
    .string()
    .min(1)
    .max(255)
    .refine((name) => !/[/+#]/.test(name) && !name.includes("\u0000"), "nodeName is a topic level: no '/', '+', '#' or NUL")
    .default(DEFAULT_NODE_NAME),
});

/** How long stop() lets already-produced lifecycle messages reach connected subscribers. */
const STOP_DRAIN_TIMEOUT_MS = 2_000;

function listen(server: net.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error(`unexpected listener address: ${String(address)}`));
        return;
      }
      resolve(address);
    });
  });
}

function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const settings = EmbeddedBrokerSettingsSchema.parse({
    port: options.port,
    host: options.host,
    nodeName: options.nodeName,
  });
  const log = options.log ?? createLogger("embedded-broker");
  const now = options.now ?? Date.now;

  const broker = await Aedes.createBroker({ id: settings.nodeName });
  // aedes emits 'error' (persistence failures) but its typings omit it; unhandled, it would crash the process.
  const emitter: EventEmitter = broker;
  emitter.on("error", (error: Error) => log.error({ err: error }, "aedes error"));
  const publisher = createLifecyclePublisher(broker, log);
  const tracker = createLifecycleTracker({
    nodeName: settings.nodeName,
    now,
    log,
    authenticate: options.authenticate,
    emit: publisher.publish,
    publishRateLimit: options.publishRateLimit,
  });
  tracker.attach(broker);

  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    tracker.noteSocket(socket);
    broker.handle(socket);
  });

  let address: AddressInfo;
  try {
    address = await listen(server, settings.port, settings.host);
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  server.on("error", (error) => log.error({ err: error }, "broker listener error"));
  log.info({ host: settings.host, port: address.port, nodeName: settings.nodeName }, "embedded broker listening");

  let stopping: Promise<void> | undefined;
  let restarting: Promise<{ disconnected: number }> | undefined;
  const restart = async (downMs: number) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const disconnected = tracker.disconnectAll("server_shutting_down");
    // Sockets that never sent CONNECT are not aedes clients; a stopping node drops them too.
    setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, 200).unref();
    await closed;
    log.info({ port: address.port, disconnected, downMs }, "embedded broker restarting");
    await new Promise((resolve) => setTimeout(resolve, downMs));
    if (stopping) return { disconnected };
    await listen(server, address.port, settings.host);
    log.info({ port: address.port }, "embedded broker listening again");
    return { disconnected };
  };
  const stop = async () => {
    await restarting?.catch(() => undefined);
    tracker.shutdown();
    await waitAtMost(publisher.drain(), STOP_DRAIN_TIMEOUT_MS);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    // aedes closes registered clients only; sockets that never sent CONNECT would hold server.close() open.
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    log.info({ port: address.port }, "embedded broker stopped");
  };

  return {
    url: `mqtt://${settings.host}:${address.port}`,
    port: address.port,
    nodeName: settings.nodeName,
    kickClient: tracker.kickClient,
    restart: ({ downMs }) => {
      if (stopping) return Promise.reject(new Error("the broker is stopping"));
      restarting ??= restart(downMs).finally(() => {
        restarting = undefined;
      });
      return restarting;
    },
    stop: () => (stopping ??= stop()),
  };
}
