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
 * Reasons, topics and payload fields are documented in lib/broker/emqx-lifecycle-format.ts.
 */
import type { EventEmitter } from "node:events";
import net, { type AddressInfo, type Socket } from "node:net";
import { Aedes } from "aedes";
import { z } from "zod";
import { createLogger, type Logger } from "@/lib/log/logger";
import { DEFAULT_NODE_NAME } from "@/lib/broker/emqx-lifecycle-format";
import { createLifecyclePublisher } from "@/lib/broker/lifecycle-publisher";
import { createLifecycleTracker, type Authenticate } from "@/lib/broker/lifecycle-tracker";

export type { Authenticate, AuthenticateInput, AuthenticateResult } from "@/lib/broker/lifecycle-tracker";

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
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  nodeName: string;
  /** Disconnects the live client with this id (reason `kicked`); false when no such client is connected. */
  kickClient: (clientId: string) => boolean;
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
  const stop = async () => {
    tracker.shutdown();
    await waitAtMost(publisher.drain(), STOP_DRAIN_TIMEOUT_MS);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    // aedes closes registered clients only; sockets that never sent CONNECT would hold server.close() open.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    log.info({ port: address.port }, "embedded broker stopped");
  };

  return {
    url: `mqtt://${settings.host}:${address.port}`,
    port: address.port,
    nodeName: settings.nodeName,
    kickClient: tracker.kickClient,
    stop: () => (stopping ??= stop()),
  };
}
