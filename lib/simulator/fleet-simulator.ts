import net from "node:net";
import { MqttClient } from "mqtt";
import type { Logger } from "@/lib/log/logger.ts";
import { DEMO_CREDENTIAL_SECRET, issueDeviceToken } from "./device-credentials.ts";
import {
  FLEET_DEVICES,
  selectFleet,
  type BadCredentialsDevice,
  type CredentialExpiryDevice,
  type DuplicateClientIdDevice,
  type FleetDevice,
  type FlakyNetworkDevice,
  type HealthyDevice,
  type KeepaliveHangDevice,
  type ReconnectStormDevice,
} from "./fleet-profiles.ts";
import { startFreezingProxy } from "./freezing-proxy.ts";
import { pickUniform } from "./seeded-random.ts";

export { createSimulatorAuthenticator, DEMO_CREDENTIAL_SECRET, issueDeviceToken } from "./device-credentials.ts";

export type FleetSimulatorOptions = {
  /** `mqtt://host:port` (plain TCP): every device is a real MQTT.js client of this broker. */
  mqttUrl: string;
  /** Fleet size (default: the whole fleet definition); fault devices come first. */
  devices?: number;
  /** Runs the demo timings this many times faster (tests use 5–10). */
  timeScale?: number;
  log: Logger;
  random?: () => number;
  /** Must match the broker's `createSimulatorAuthenticator({ secret })`. */
  credentialSecret?: string;
};

export type FleetSimulator = {
  /** One line per simulated behaviour, for the console and the docs. */
  scenarios: string[];
  /** Disconnects every client and closes every proxy (within about a second). */
  stop(): Promise<void>;
};

/** The valve was provisioned with a key that is not the fleet's, so its tokens never verify. */
const STALE_PROVISIONING_KEY = "stale-provisioning-key";
const STOP_GRACE_MS = 1_000;
const MIN_RECONNECT_MS = 100;
const MIN_TELEMETRY_MS = 500;
/** Healthy devices come up over this window instead of all at once. */
const HEALTHY_START_SPREAD_MS = 2_000;

type ClientSpec = {
  device: FleetDevice;
  password?: string;
  keepaliveSec?: number;
  reconnectMs: number;
  /** Connect from this local address (loopback aliases make the two twins distinguishable by IP). */
  localAddress?: string;
  /** Connect here instead of the broker (the freezing proxy). */
  via?: { host: string; port: number };
  /** Keep retrying after a refused CONNACK (MQTT.js gives up by default). */
  retryRefused?: boolean;
};

type SimulatorContext = {
  target: { host: string; port: number };
  /** The broker is on IPv4 loopback, so clients can bind other 127.x addresses. */
  loopback: boolean;
  timeScale: number;
  random: () => number;
  log: Logger;
  secret: string;
  isStopped(): boolean;
  /** Runs `action` after `ms` unless the simulator stops first; returns a cancel function. */
  after(ms: number, action: () => void): () => void;
  /** Demo seconds → wall-clock milliseconds at this time scale. */
  scale(seconds: number, minMs?: number): number;
  openClient(spec: ClientSpec): MqttClient;
  closeClient(client: MqttClient, options?: { force?: boolean }): Promise<void>;
  isRetired(client: MqttClient): boolean;
  onStop(action: () => Promise<void>): void;
};

/**
 * Runs the simulated fleet as real MQTT.js clients against a broker. Faults come from real mechanisms only:
 * expiring signed credentials the broker enforces, destroyed sockets, a second client with the same ID, a
 * TCP path that freezes until the broker's keepalive timer fires, a crash-and-retry loop without backoff, a wrong
 * password. Nothing here publishes lifecycle events; the broker reports what it sees.
 */
export async function startFleetSimulator(options: FleetSimulatorOptions): Promise<FleetSimulator> {
  const target = readBrokerAddress(options.mqttUrl);
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const devices = selectFleet(options.devices ?? FLEET_DEVICES.length);
  const { log } = options;

  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const clients = new Set<MqttClient>();
  const retired = new WeakSet<MqttClient>();
  const stopHooks: (() => Promise<void>)[] = [];

  const ctx: SimulatorContext = {
    target,
    loopback: /^127\.\d+\.\d+\.\d+$/.test(target.host),
    timeScale,
    random: options.random ?? Math.random,
    log,
    secret: options.credentialSecret ?? DEMO_CREDENTIAL_SECRET,
    isStopped: () => stopped,
    after(ms, action) {
      if (stopped) return () => {};
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopped) action();
      }, Math.max(0, ms));
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    },
    scale: (seconds, minMs = MIN_RECONNECT_MS) => Math.max(minMs, Math.round((seconds * 1_000) / timeScale)),
    openClient(spec) {
      const host = spec.via?.host ?? target.host;
      const port = spec.via?.port ?? target.port;
      const client = new MqttClient(() => net.createConnection({ host, port, localAddress: spec.localAddress }), {
        clientId: spec.device.id,
        username: spec.device.id,
        password: spec.password,
        protocolVersion: 4,
        keepalive: spec.keepaliveSec ?? spec.device.keepaliveSec,
        clean: spec.device.cleanStart,
        reconnectPeriod: Math.max(MIN_RECONNECT_MS, Math.round(spec.reconnectMs)),
        connectTimeout: 10_000,
        reconnectOnConnackError: spec.retryRefused ?? false,
        queueQoSZero: false,
        resubscribe: false,
      });
      client.on("error", (error) => log.debug({ deviceId: spec.device.id, err: error.message }, "device client error"));
      clients.add(client);
      return client;
    },
    closeClient(client, closeOptions = {}) {
      retired.add(client);
      clients.delete(client);
      return new Promise<void>((resolve) => {
        const fallback = setTimeout(() => {
          client.stream?.destroy();
          resolve();
        }, STOP_GRACE_MS);
        client.end(closeOptions.force === true || !client.connected, () => {
          clearTimeout(fallback);
          resolve();
        });
      });
    },
    isRetired: (client) => retired.has(client),
    onStop: (action) => stopHooks.push(action),
  };

  const scenarios: string[] = [];
  const healthy: HealthyDevice[] = [];
  for (const device of devices) {
    if (device.kind === "healthy") {
      healthy.push(device);
      ctx.after(pickUniform(ctx.random, 0, HEALTHY_START_SPREAD_MS), () => runHealthy(ctx, device));
      continue;
    }
    scenarios.push(await runFaultDevice(ctx, device));
  }
  if (healthy.length > 0) scenarios.push(describeHealthy(ctx, healthy));
  log.info({ devices: devices.length, timeScale, broker: options.mqttUrl, scenarios }, "fleet simulator started");

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await Promise.all([...clients].map((client) => ctx.closeClient(client)));
    await Promise.all(stopHooks.map((hook) => hook()));
    log.info({ devices: devices.length }, "fleet simulator stopped");
  };
  return { scenarios, stop: () => (stopping ??= stop()) };
}

function readBrokerAddress(mqttUrl: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(mqttUrl);
  } catch {
    throw new Error(`MQTT URL is not a URL: ${mqttUrl}`);
  }
  if (url.protocol !== "mqtt:" && url.protocol !== "tcp:") {
    throw new Error(`the fleet simulator speaks plain MQTT over TCP (mqtt://host:port), not ${url.protocol}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: url.port ? Number(url.port) : 1883 };
}

function runFaultDevice(ctx: SimulatorContext, device: Exclude<FleetDevice, HealthyDevice>): Promise<string> | string {
  switch (device.kind) {
    case "credential_expiry":
      return runCredentialExpiry(ctx, device);
    case "flaky_network":
      return runFlaky(ctx, device);
    case "duplicate_client_id":
      return runDuplicateClientId(ctx, device);
    case "keepalive_hang":
      return runKeepaliveHang(ctx, device);
    case "reconnect_storm":
      return runReconnectStorm(ctx, device);
    case "bad_credentials":
      return runBadCredentials(ctx, device);
  }
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 120) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  return `${Number((seconds / 60).toFixed(1))} min`;
}

/** Publishes telemetry every period ± jitter while the client is connected, until it is retired. */
function startTelemetry(ctx: SimulatorContext, device: FleetDevice, client: MqttClient): void {
  const topic = `linkscope/telemetry/${encodeURIComponent(device.id)}`;
  let seq = 0;
  const tick = () => {
    if (ctx.isRetired(client)) return;
    if (client.connected) {
      seq += 1;
      client.publish(topic, JSON.stringify({ seq, ts: Date.now(), value: Number((20 + 5 * ctx.random()).toFixed(2)) }), { qos: 0 });
    }
    schedule();
  };
  const schedule = () => {
    const { periodSec, jitterSec } = device.telemetry;
    ctx.after(ctx.scale(periodSec + pickUniform(ctx.random, -jitterSec, jitterSec), MIN_TELEMETRY_MS), tick);
  };
  schedule();
}

function describeHealthy(ctx: SimulatorContext, devices: HealthyDevice[]): string {
  const first = devices[0];
  const names = devices.length > 3 ? `${devices.slice(0, 2).map((d) => d.id).join(", ")} … ${devices.at(-1)?.id ?? ""}` : devices.map((d) => d.id).join(", ");
  const period = first ? formatDuration(ctx.scale(first.telemetry.periodSec)) : "";
  const reconnect = first ? formatDuration(ctx.scale(first.live.meanCleanReconnectSec)) : "";
  return `${devices.length} healthy devices (${names}): publish telemetry every ~${period} and reconnect cleanly (normal) about every ${reconnect}`;
}

function runHealthy(ctx: SimulatorContext, device: HealthyDevice): void {
  const client = ctx.openClient({ device, password: issueDeviceToken(device.id, null, ctx.secret), reconnectMs: ctx.scale(device.live.reconnectDelaySec) });
  startTelemetry(ctx, device, client);
  const scheduleCleanReconnect = () => {
    ctx.after(ctx.scale(device.live.meanCleanReconnectSec * pickUniform(ctx.random, 0.5, 1.5)), () => {
      if (!client.connected) {
        scheduleCleanReconnect();
        return;
      }
      client.end(false, () => {
        ctx.after(ctx.scale(device.live.reconnectDelaySec), () => {
          client.reconnect();
          scheduleCleanReconnect();
        });
      });
    });
  };
  scheduleCleanReconnect();
}

function runCredentialExpiry(ctx: SimulatorContext, device: CredentialExpiryDevice): string {
  const { tokenLifetimeSec, lifetimeJitterSec, reconnectDelaySec } = device.live;
  const freshToken = () => {
    const lifetime = ctx.scale(tokenLifetimeSec + pickUniform(ctx.random, -lifetimeJitterSec, lifetimeJitterSec));
    return issueDeviceToken(device.id, Date.now() + lifetime, ctx.secret);
  };
  const client = ctx.openClient({ device, password: freshToken(), reconnectMs: ctx.scale(reconnectDelaySec) });
  // MQTT.js builds each CONNECT from `options`, so a token set here is the one the reconnect presents.
  client.on("reconnect", () => {
    client.options.password = freshToken();
  });
  startTelemetry(ctx, device, client);
  return (
    `${device.id}: credential expiry — its signed token lasts ~${formatDuration(ctx.scale(tokenLifetimeSec))}; the broker disconnects it ` +
    `when the token expires (not_authorized) and it reconnects after ${formatDuration(ctx.scale(reconnectDelaySec))} with a fresh token`
  );
}

function runFlaky(ctx: SimulatorContext, device: FlakyNetworkDevice): string {
  const { meanDropIntervalSec, reconnectDelaySec } = device.live;
  const client = ctx.openClient({ device, password: issueDeviceToken(device.id, null, ctx.secret), reconnectMs: ctx.scale(reconnectDelaySec) });
  let cancelDrop: (() => void) | undefined;
  client.on("connect", () => {
    cancelDrop?.();
    cancelDrop = ctx.after(ctx.scale(meanDropIntervalSec * pickUniform(ctx.random, 0.3, 1.7)), () => {
      ctx.log.debug({ deviceId: device.id }, "flaky link: destroying the socket");
      client.stream.destroy();
    });
  });
  client.on("close", () => {
    cancelDrop?.();
    cancelDrop = undefined;
  });
  startTelemetry(ctx, device, client);
  return (
    `${device.id}: flaky network — its TCP socket is destroyed without DISCONNECT every ` +
    `${formatDuration(ctx.scale(meanDropIntervalSec * 0.3))}–${formatDuration(ctx.scale(meanDropIntervalSec * 1.7))} (tcp_closed); ` +
    `it reconnects after ${formatDuration(ctx.scale(reconnectDelaySec))}`
  );
}

function runDuplicateClientId(ctx: SimulatorContext, device: DuplicateClientIdDevice): string {
  const { twinOnlineSec, twinOfflineSec, reconnectDelaySec } = device.live;
  const addressOf = (ip: string) => (ctx.loopback ? `127.0.0.${ip.split(".").at(-1) ?? "1"}` : undefined);
  const [primaryIp, twinIp] = device.twinIps;
  const spec = { device, password: issueDeviceToken(device.id, null, ctx.secret), reconnectMs: ctx.scale(reconnectDelaySec) };
  const primary = ctx.openClient({ ...spec, localAddress: addressOf(primaryIp) });
  startTelemetry(ctx, device, primary);

  let twin: MqttClient | undefined;
  const powerTwinOn = () => {
    twin = ctx.openClient({ ...spec, localAddress: addressOf(twinIp) });
    startTelemetry(ctx, device, twin);
    ctx.after(ctx.scale(twinOnlineSec), powerTwinOff);
  };
  const powerTwinOff = () => {
    if (twin) void ctx.closeClient(twin);
    twin = undefined;
    ctx.after(ctx.scale(twinOfflineSec), powerTwinOn);
  };
  ctx.after(ctx.scale(1), powerTwinOn);

  const addresses = ctx.loopback ? `${addressOf(primaryIp) ?? ""} and ${addressOf(twinIp) ?? ""}` : "the same host";
  return (
    `${device.id}: duplicate client ID — two clients (from ${addresses}) use this ID; while the second is powered on ` +
    `(${formatDuration(ctx.scale(twinOnlineSec))} on, ${formatDuration(ctx.scale(twinOfflineSec))} off) they take the session over ` +
    `from each other every ~${formatDuration(ctx.scale(reconnectDelaySec))} (takenover)`
  );
}

async function runKeepaliveHang(ctx: SimulatorContext, device: KeepaliveHangDevice): Promise<string> {
  const { hangEverySec, reconnectDelaySec } = device.live;
  const proxy = await startFreezingProxy(ctx.target);
  ctx.onStop(() => proxy.close());
  // MQTT keepalive is whole seconds; below 2 s the broker's 1.5 × keepalive timer gets too tight to observe reliably.
  const keepaliveSec = Math.max(2, Math.round(device.live.keepaliveSec / ctx.timeScale));
  // The broker gives up 1.5 × keepalive after the last packet it received; the freeze outlasts that.
  const freezeMs = keepaliveSec * 1_500 + 2_500;
  const client = ctx.openClient({
    device,
    password: issueDeviceToken(device.id, null, ctx.secret),
    keepaliveSec,
    reconnectMs: ctx.scale(reconnectDelaySec),
    via: { host: "127.0.0.1", port: proxy.port },
  });
  startTelemetry(ctx, device, client);
  const scheduleHang = () => {
    ctx.after(ctx.scale(hangEverySec * pickUniform(ctx.random, 0.8, 1.2)), () => {
      ctx.log.debug({ deviceId: device.id, freezeMs }, "hung link: freezing the proxy");
      proxy.freeze();
      ctx.after(freezeMs, () => {
        proxy.thaw();
        scheduleHang();
      });
    });
  };
  scheduleHang();
  return (
    `${device.id}: hung link — connects (keepalive ${keepaliveSec} s) through a local TCP proxy that freezes every ` +
    `~${formatDuration(ctx.scale(hangEverySec))} for ${formatDuration(freezeMs)} without closing; the broker times it out (keepalive_timeout)`
  );
}

function runReconnectStorm(ctx: SimulatorContext, device: ReconnectStormDevice): string {
  const { burstEverySec, attemptsPerBurst, retryMs } = device.live;
  let current: MqttClient | undefined;
  const startBurst = () => {
    // The link drops first (socket gone, no DISCONNECT), then the firmware's retry loop takes over.
    if (current) void ctx.closeClient(current, { force: true });
    const client = ctx.openClient({ device, password: issueDeviceToken(device.id, null, ctx.secret), reconnectMs: retryMs });
    current = client;
    let attempts = 0;
    client.on("connect", () => {
      attempts += 1;
      if (attempts >= attemptsPerBurst) return;
      setImmediate(() => {
        if (!ctx.isRetired(client)) client.stream.destroy();
      });
    });
    startTelemetry(ctx, device, client);
    ctx.after(ctx.scale(burstEverySec), startBurst);
  };
  startBurst();
  return (
    `${device.id}: reconnect storm — every ${formatDuration(ctx.scale(burstEverySec))} its link drops and the firmware makes ` +
    `${attemptsPerBurst} connects ${retryMs} ms apart with no backoff, crashing right after each CONNACK (tcp_closed)`
  );
}

function runBadCredentials(ctx: SimulatorContext, device: BadCredentialsDevice): string {
  const { retryEverySec } = device.live;
  ctx.openClient({
    device,
    password: issueDeviceToken(device.id, null, STALE_PROVISIONING_KEY),
    reconnectMs: ctx.scale(retryEverySec),
    retryRefused: true,
  });
  return (
    `${device.id}: bad credentials — its password is wrong; every connect is refused with CONNACK 4 ` +
    `(bad_username_or_password) and it retries every ${formatDuration(ctx.scale(retryEverySec))}`
  );
}
