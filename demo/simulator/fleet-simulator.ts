import net from "node:net";
import type { AgentConnectionConfigInput } from "@/lib/agent/connection-config.ts";
import { createLinkscopeAgent, type Credentials, type CredentialRequest, type LinkscopeAgent } from "@/lib/agent/linkscope-agent.ts";
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
  type NatIdleTimeoutDevice,
  type RateLimitedDevice,
  type ReconnectStormDevice,
} from "./fleet-profiles.ts";
import { startFreezingProxy } from "./freezing-proxy.ts";
import { startNatGatewayProxy } from "./nat-gateway-proxy.ts";
import { pickUniform } from "./seeded-random.ts";

export { createSimulatorAuthenticator, DEMO_CREDENTIAL_SECRET, issueDeviceToken } from "./device-credentials.ts";
export { DEMO_PUBLISH_RATE_LIMIT } from "./fleet-profiles.ts";

/** Scenario names for `--scenario`: one per fault profile, plus the fleet-wide broker restart and the healthy devices. */
export const SCENARIOS = {
  "credential-expiry": "credential_expiry",
  "flaky-network": "flaky_network",
  "duplicate-client-id": "duplicate_client_id",
  "keepalive-hang": "keepalive_hang",
  "reconnect-storm": "reconnect_storm",
  "bad-credentials": "bad_credentials",
  "nat-idle-timeout": "nat_idle_timeout",
  "rate-limit": "rate_limited",
  "broker-restart": null,
  healthy: "healthy",
} as const satisfies Record<string, FleetDevice["kind"] | null>;
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export type FleetSimulatorOptions = {
  /** `mqtt://host:port` (plain TCP): every device is a real MQTT.js client, wrapped by the Linkscope agent. */
  mqttUrl: string;
  /** Fleet size (default: the whole fleet definition); the selected fault devices come first, then healthy ones. */
  devices?: number;
  /** Only these scenarios (default: all). Healthy devices fill the fleet up to `devices` unless excluded. */
  scenarios?: readonly ScenarioName[];
  /** Runs the demo timings this many times faster (tests use 5–10). */
  timeScale?: number;
  log: Logger;
  random?: () => number;
  /** Must match the broker's `createSimulatorAuthenticator({ secret })`. */
  credentialSecret?: string;
  /** A broker the simulator may restart (the embedded one): periodic restarts are a fleet-wide incident. */
  broker?: { restart(options: { downMs: number }): Promise<unknown> };
  /** Demo seconds between broker restarts (default 600, i.e. 10 min at time scale 1). */
  brokerRestartEverySec?: number;
};

export type FleetSimulator = {
  /** How many devices it simulates. */
  devices: number;
  /** One line per simulated behaviour, for the console and the docs. */
  scenarios: string[];
  /** Every agent running now (twins and reboots included), for tests and exports. */
  agents(): LinkscopeAgent[];
  /** Disconnects every client and closes every proxy (within about a second). */
  stop(): Promise<void>;
};

/** The valve was provisioned with a key that is not the fleet's, so its tokens never verify. */
const STALE_PROVISIONING_KEY = "stale-provisioning-key";
const MIN_DELAY_MS = 100;
const MIN_TELEMETRY_MS = 500;
/** Healthy devices come up over this window instead of all at once. */
const HEALTHY_START_SPREAD_MS = 2_000;
const BROKER_DOWN_MS = 3_000;
const DEFAULT_BROKER_RESTART_EVERY_SEC = 600;

type AgentSpec = {
  device: FleetDevice;
  credentials: (request: CredentialRequest) => Credentials;
  config?: AgentConnectionConfigInput;
  /** Connect from this local address (loopback aliases make the two twins distinguishable by IP). */
  localAddress?: string;
  /** Connect here instead of the broker (a proxy standing in for the device's network path). */
  via?: { host: string; port: number };
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
  startAgent(spec: AgentSpec): LinkscopeAgent;
  stopAgent(agent: LinkscopeAgent, options?: { force?: boolean }): Promise<void>;
  onStop(action: () => Promise<void>): void;
};

/**
 * Runs the simulated fleet: every device is a real MQTT.js client wrapped by the Linkscope agent (hardened
 * reconnects, device reports on its report topic), against a broker. Faults come from real mechanisms only:
 * expiring signed credentials the broker enforces, a gateway that resets flows, a second client with the same
 * ID, a TCP path that freezes, a NAT that forgets idle flows, the broker's publish rate limit, a retry loop
 * without backoff, a wrong password, broker restarts. Nothing here publishes lifecycle events.
 */
export async function startFleetSimulator(options: FleetSimulatorOptions): Promise<FleetSimulator> {
  const target = readBrokerAddress(options.mqttUrl);
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  const selected = new Set<ScenarioName>(options.scenarios ?? SCENARIO_NAMES);
  const devices = chooseDevices(options.devices ?? FLEET_DEVICES.length, selected);
  const { log } = options;

  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const agents = new Set<LinkscopeAgent>();
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
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (!stopped) action();
        },
        Math.max(0, ms),
      );
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    },
    scale: (seconds, minMs = MIN_DELAY_MS) => Math.max(minMs, Math.round((seconds * 1_000) / timeScale)),
    startAgent(spec) {
      const host = spec.via?.host ?? target.host;
      const port = spec.via?.port ?? target.port;
      const agent = createLinkscopeAgent({
        deviceId: spec.device.id,
        transport: () => net.createConnection({ host, port, localAddress: spec.localAddress }),
        getCredentials: spec.credentials,
        config: { keepaliveSec: spec.device.keepaliveSec, connectTimeoutMs: 10_000, ...spec.config },
        mqttOptions: { protocolVersion: 4, clean: spec.device.cleanStart },
        random: ctx.random,
      });
      agent.client.on("error", (error) => log.debug({ deviceId: spec.device.id, err: error.message }, "device client error"));
      agents.add(agent);
      void agent.start();
      return agent;
    },
    async stopAgent(agent, stopOptions = {}) {
      agents.delete(agent);
      await agent.stop(stopOptions);
    },
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
  if (selected.has("broker-restart")) {
    if (options.broker)
      scenarios.push(runBrokerRestarts(ctx, options.broker, options.brokerRestartEverySec ?? DEFAULT_BROKER_RESTART_EVERY_SEC));
    else scenarios.push("broker restarts: off (the broker is not the embedded one)");
  }
  log.info({ devices: devices.length, timeScale, broker: options.mqttUrl, scenarios }, "fleet simulator started");

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await Promise.all([...agents].map((agent) => ctx.stopAgent(agent)));
    await Promise.all(stopHooks.map((hook) => hook()));
    log.info({ devices: devices.length }, "fleet simulator stopped");
  };
  return { devices: devices.length, scenarios, agents: () => [...agents], stop: () => (stopping ??= stop()) };
}

/** The selected scenarios' fault devices first, then healthy devices (when selected) up to `count`. */
export function chooseDevices(count: number, selected: ReadonlySet<ScenarioName>): FleetDevice[] {
  const kinds = new Set<FleetDevice["kind"]>([...selected].flatMap((name) => (SCENARIOS[name] ? [SCENARIOS[name]] : [])));
  const pool = selectFleet(Math.max(count, FLEET_DEVICES.length));
  const faults = pool.filter((d) => d.kind !== "healthy" && kinds.has(d.kind));
  const healthy = kinds.has("healthy") ? pool.filter((d) => d.kind === "healthy") : [];
  return [...faults, ...healthy].slice(0, count);
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
    case "nat_idle_timeout":
      return runNatIdleTimeout(ctx, device);
    case "rate_limited":
      return runRateLimited(ctx, device);
  }
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 120) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  return `${Number((seconds / 60).toFixed(1))} min`;
}

/** A fixed, never-expiring device token. */
function staticCredentials(ctx: SimulatorContext, device: FleetDevice, secret = ctx.secret): () => Credentials {
  const password = issueDeviceToken(device.id, null, secret);
  return () => ({ username: device.id, password });
}

/** Publishes telemetry every period ± jitter (queued by the agent while offline), until the agent is stopped. */
function startTelemetry(
  ctx: SimulatorContext,
  device: FleetDevice,
  agent: LinkscopeAgent,
  { periodSec, jitterSec }: { periodSec: number; jitterSec: number } = device.telemetry,
): void {
  const topic = `linkscope/telemetry/${encodeURIComponent(device.id)}`;
  let seq = 0;
  let stopped = false;
  agent.client.once("end", () => {
    stopped = true;
  });
  const tick = () => {
    if (stopped) return;
    seq += 1;
    agent.publish(topic, JSON.stringify({ seq, ts: Date.now(), value: Number((20 + 5 * ctx.random()).toFixed(2)) }), { qos: 0 });
    schedule();
  };
  const schedule = () => {
    ctx.after(ctx.scale(periodSec + pickUniform(ctx.random, -jitterSec, jitterSec), MIN_TELEMETRY_MS), tick);
  };
  schedule();
}

function describeHealthy(ctx: SimulatorContext, devices: HealthyDevice[]): string {
  const first = devices[0];
  const names =
    devices.length > 3
      ? `${devices
          .slice(0, 2)
          .map((d) => d.id)
          .join(", ")} … ${devices.at(-1)?.id ?? ""}`
      : devices.map((d) => d.id).join(", ");
  const period = first ? formatDuration(ctx.scale(first.telemetry.periodSec)) : "";
  const reconnect = first ? formatDuration(ctx.scale(first.live.meanCleanReconnectSec)) : "";
  return `${devices.length} healthy devices (${names}): publish telemetry every ~${period} and reboot cleanly (normal) about every ${reconnect}`;
}

/** Healthy devices reboot now and then: a clean DISCONNECT, then a new agent (a new process) connects. */
function runHealthy(ctx: SimulatorContext, device: HealthyDevice): void {
  const agent = ctx.startAgent({ device, credentials: staticCredentials(ctx, device) });
  startTelemetry(ctx, device, agent);
  ctx.after(ctx.scale(device.live.meanCleanReconnectSec * pickUniform(ctx.random, 0.5, 1.5)), () => {
    void ctx.stopAgent(agent).then(() => ctx.after(ctx.scale(device.live.reconnectDelaySec), () => runHealthy(ctx, device)));
  });
}

function runCredentialExpiry(ctx: SimulatorContext, device: CredentialExpiryDevice): string {
  const { tokenLifetimeSec, lifetimeJitterSec, reconnectDelaySec } = device.live;
  // Every attempt presents a freshly signed token, as a device with working token renewal does.
  const agent = ctx.startAgent({
    device,
    config: { initialReconnectDelayMs: ctx.scale(reconnectDelaySec) },
    credentials: () => {
      const lifetime = ctx.scale(tokenLifetimeSec + pickUniform(ctx.random, -lifetimeJitterSec, lifetimeJitterSec));
      return { username: device.id, password: issueDeviceToken(device.id, Date.now() + lifetime, ctx.secret) };
    },
  });
  startTelemetry(ctx, device, agent);
  return (
    `${device.id}: credential expiry — its signed token lasts ~${formatDuration(ctx.scale(tokenLifetimeSec))}; the broker disconnects it ` +
    `when the token expires (not_authorized) and it reconnects after ~${formatDuration(ctx.scale(reconnectDelaySec))} with a fresh token`
  );
}

async function runFlaky(ctx: SimulatorContext, device: FlakyNetworkDevice): Promise<string> {
  const { meanDropIntervalSec, reconnectDelaySec } = device.live;
  const gateway = await startNatGatewayProxy(ctx.target);
  ctx.onStop(() => gateway.close());
  const agent = ctx.startAgent({
    device,
    credentials: staticCredentials(ctx, device),
    config: { initialReconnectDelayMs: ctx.scale(reconnectDelaySec) },
    via: { host: "127.0.0.1", port: gateway.port },
  });
  startTelemetry(ctx, device, agent);
  const scheduleFlap = () => {
    ctx.after(ctx.scale(meanDropIntervalSec * pickUniform(ctx.random, 0.3, 1.7)), () => {
      // The Wi-Fi roams to another access point and the gateway's uplink flaps: every flow through it is reset.
      agent.reportSystemEvent("network_change", "wlan0 roamed to another access point");
      ctx.after(200, () => {
        ctx.log.debug({ deviceId: device.id }, "flaky link: resetting the gateway's flows");
        gateway.resetAll();
        scheduleFlap();
      });
    });
  };
  scheduleFlap();
  return (
    `${device.id}: flaky network — its Wi-Fi roams every ${formatDuration(ctx.scale(meanDropIntervalSec * 0.3))}–` +
    `${formatDuration(ctx.scale(meanDropIntervalSec * 1.7))} (reported by the agent as a network change) and its gateway resets the ` +
    `connection (device: ECONNRESET, broker: econnreset); it reconnects after ~${formatDuration(ctx.scale(reconnectDelaySec))}`
  );
}

function runDuplicateClientId(ctx: SimulatorContext, device: DuplicateClientIdDevice): string {
  const { twinOnlineSec, twinOfflineSec, reconnectDelaySec } = device.live;
  const addressOf = (ip: string) => (ctx.loopback ? `127.0.0.${ip.split(".").at(-1) ?? "1"}` : undefined);
  const [primaryIp, twinIp] = device.twinIps;
  const spec = { device, credentials: staticCredentials(ctx, device), config: { initialReconnectDelayMs: ctx.scale(reconnectDelaySec) } };
  const primary = ctx.startAgent({ ...spec, localAddress: addressOf(primaryIp) });
  startTelemetry(ctx, device, primary);

  let twin: LinkscopeAgent | undefined;
  const powerTwinOn = () => {
    twin = ctx.startAgent({ ...spec, localAddress: addressOf(twinIp) });
    startTelemetry(ctx, device, twin);
    ctx.after(ctx.scale(twinOnlineSec), powerTwinOff);
  };
  const powerTwinOff = () => {
    if (twin) void ctx.stopAgent(twin);
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
  const agent = ctx.startAgent({
    device,
    credentials: staticCredentials(ctx, device),
    config: { keepaliveSec, initialReconnectDelayMs: ctx.scale(reconnectDelaySec) },
    via: { host: "127.0.0.1", port: proxy.port },
  });
  startTelemetry(ctx, device, agent);
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
  // Its firmware retries at a fixed interval: no backoff, no jitter.
  const agent = ctx.startAgent({
    device,
    credentials: staticCredentials(ctx, device),
    config: { initialReconnectDelayMs: retryMs, maxReconnectDelayMs: retryMs, jitterRatio: 0 },
  });
  let crashesLeft = attemptsPerBurst - 1;
  agent.on("connected", () => {
    if (crashesLeft <= 0) return;
    crashesLeft -= 1;
    setImmediate(() => agent.client.stream?.destroy());
  });
  startTelemetry(ctx, device, agent);
  const scheduleBurst = () => {
    ctx.after(ctx.scale(burstEverySec), () => {
      crashesLeft = attemptsPerBurst - 1;
      agent.client.stream?.destroy();
      scheduleBurst();
    });
  };
  scheduleBurst();
  return (
    `${device.id}: reconnect storm — every ${formatDuration(ctx.scale(burstEverySec))} its link drops and the firmware makes ` +
    `${attemptsPerBurst} connects ${retryMs} ms apart with no backoff, crashing right after each CONNACK (tcp_closed)`
  );
}

function runBadCredentials(ctx: SimulatorContext, device: BadCredentialsDevice): string {
  const { retryEverySec } = device.live;
  // Even a deep reconnect cannot help: the provisioning key itself is wrong.
  ctx.startAgent({
    device,
    credentials: staticCredentials(ctx, device, STALE_PROVISIONING_KEY),
    config: { maxReconnectDelayMs: ctx.scale(retryEverySec) },
  });
  return (
    `${device.id}: bad credentials — its password is wrong; every connect is refused with CONNACK 4 ` +
    `(bad_username_or_password), backing off to one retry every ${formatDuration(ctx.scale(retryEverySec))}; its deep reconnects fail too`
  );
}

async function runNatIdleTimeout(ctx: SimulatorContext, device: NatIdleTimeoutDevice): Promise<string> {
  const { natIdleSec, keepaliveSec, telemetryEverySec } = device.live;
  const idleMs = ctx.scale(natIdleSec);
  const gateway = await startNatGatewayProxy(ctx.target, { idleTimeoutMs: idleMs });
  ctx.onStop(() => gateway.close());
  // Its keepalive must stay longer than the NAT's idle timeout, whatever the time scale.
  const keepalive = Math.max(Math.ceil((idleMs * 3) / 1_000), Math.round(keepaliveSec / ctx.timeScale));
  const agent = ctx.startAgent({
    device,
    credentials: staticCredentials(ctx, device),
    config: { keepaliveSec: keepalive },
    via: { host: "127.0.0.1", port: gateway.port },
  });
  startTelemetry(ctx, device, agent, { periodSec: telemetryEverySec, jitterSec: telemetryEverySec / 10 });
  return (
    `${device.id}: NAT idle timeout — behind a NAT that forgets flows idle for ${formatDuration(idleMs)}, with keepalive ${keepalive} s and a ` +
    `message every ~${formatDuration(ctx.scale(telemetryEverySec))}: each message after a quiet spell is reset (device: ECONNRESET); ` +
    `the broker sees the reconnect take the stale session over (discarded)`
  );
}

function runRateLimited(ctx: SimulatorContext, device: RateLimitedDevice): string {
  const { burstEverySec, burstSize } = device.live;
  const agent = ctx.startAgent({ device, credentials: staticCredentials(ctx, device) });
  startTelemetry(ctx, device, agent);
  const topic = `linkscope/telemetry/${encodeURIComponent(device.id)}/batch`;
  const scheduleBurst = () => {
    ctx.after(ctx.scale(burstEverySec * pickUniform(ctx.random, 0.8, 1.2)), () => {
      for (let i = 0; i < burstSize; i += 1) agent.publish(topic, JSON.stringify({ reading: i, ts: Date.now() }), { qos: 1 });
      scheduleBurst();
    });
  };
  scheduleBurst();
  return (
    `${device.id}: rate limited — every ~${formatDuration(ctx.scale(burstEverySec))} it uploads ${burstSize} buffered readings at once, ` +
    `over the broker's publish rate limit; the broker disconnects it (message_rate_too_high)`
  );
}

function runBrokerRestarts(ctx: SimulatorContext, broker: NonNullable<FleetSimulatorOptions["broker"]>, everySec: number): string {
  const schedule = () => {
    ctx.after(ctx.scale(everySec * pickUniform(ctx.random, 0.9, 1.1)), () => {
      ctx.log.info({ downMs: BROKER_DOWN_MS }, "fleet-wide incident: restarting the broker");
      broker.restart({ downMs: BROKER_DOWN_MS }).then(schedule, (error: unknown) => ctx.log.error({ err: error }, "broker restart failed"));
    });
  };
  schedule();
  return (
    `fleet-wide incident: the embedded broker restarts every ~${formatDuration(ctx.scale(everySec))} and is down for ` +
    `${formatDuration(BROKER_DOWN_MS)}: every device drops (server_shutting_down), its reconnects are refused meanwhile, and it backs off and resumes`
  );
}
