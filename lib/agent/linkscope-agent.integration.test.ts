import net from "node:net";
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from "@/demo/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { createSimulatorAuthenticator, issueDeviceToken } from "@/demo/simulator/device-credentials.ts";
import { startNatGatewayProxy, type NatGatewayProxy } from "@/demo/simulator/nat-gateway-proxy.ts";
import { AGENT_REPORT_TOPIC_FILTER, AgentReportSchema, type AgentReport } from "./export-format.ts";
import { createLinkscopeAgent, type LinkscopeAgent, type LinkscopeAgentOptions } from "./linkscope-agent.ts";

const log = createLogger("agent-integration-test");
log.level = "silent";

type Lifecycle = { event: string; clientId: string; reason: string | null };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real broker plus a watcher that records its lifecycle events and the agent reports it carries. */
async function startBroker(options: EmbeddedBrokerOptions = {}) {
  const broker: EmbeddedBroker = await startEmbeddedBroker({ log, ...options });
  cleanups.push(() => broker.stop());
  const lifecycle: Lifecycle[] = [];
  const reports: AgentReport[] = [];
  const messages: { topic: string; payload: string }[] = [];
  const watcher: MqttClient = await mqtt.connectAsync(broker.url, {
    clientId: `watcher-${randomUUID()}`,
    clean: false,
    reconnectPeriod: 200,
  });
  cleanups.push(() => watcher.endAsync(true));
  watcher.on("message", (topic, payload) => {
    const text = payload.toString("utf8");
    if (topic.startsWith("$SYS/")) {
      const data = JSON.parse(text) as Record<string, unknown>;
      const reason = typeof data.reason === "string" ? data.reason : typeof data.reason_code === "string" ? data.reason_code : null;
      lifecycle.push({ event: topic.split("/").at(-1) ?? "", clientId: String(data.clientid), reason });
    } else if (topic.startsWith("linkscope/agent/")) {
      reports.push(AgentReportSchema.parse(JSON.parse(text)));
    } else {
      messages.push({ topic, payload: text });
    }
  });
  await watcher.subscribeAsync({ "$SYS/brokers/+/clients/#": { qos: 1 }, [AGENT_REPORT_TOPIC_FILTER]: { qos: 1 }, "cmd/#": { qos: 1 } });
  return { broker, lifecycle, reports, messages };
}

/** Every delay each agent asked its timers for: the backoff schedule, independent of how late a loaded machine runs them. */
const requestedDelays = new Map<LinkscopeAgent, number[]>();

function startAgent(options: Omit<LinkscopeAgentOptions, "deviceId"> & { deviceId?: string }): LinkscopeAgent {
  const delays: number[] = [];
  const agent = createLinkscopeAgent({
    deviceId: `agent-${randomUUID().slice(0, 8)}`,
    ...options,
    config: { jitterRatio: 0, initialReconnectDelayMs: 100, maxReconnectDelayMs: 800, ...options.config },
    timers: {
      setTimeout(callback, ms) {
        delays.push(ms);
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
  });
  requestedDelays.set(agent, delays);
  cleanups.push(() => agent.stop({ force: true }));
  void agent.start();
  return agent;
}

/** Milliseconds between consecutive timestamps. */
const gapsBetween = (timestamps: string[]) => timestamps.slice(1).map((t, i) => Date.parse(t) - Date.parse(timestamps[i] ?? ""));

// A broker that closes the socket is seen by the device as a clean end (CONNECTION_CLOSED) or, when the close
// races data still in flight, as a reset or a broken pipe: all three are the same drop.
const BROKER_CLOSE = /^(CONNECTION_CLOSED|ECONNRESET|EPIPE)$/;

// Sized for a loaded 2-core machine; a condition that holds returns at once.
async function waitFor(what: string, condition: () => boolean, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const metricsOf = (agent: LinkscopeAgent) => agent.diagnostics.getMetrics();

describe("the agent against a real broker that drops it", () => {
  it("kick: records the drop, resumes on attempt 1 after the first backoff step, and reports both", async () => {
    const { broker, lifecycle, reports } = await startBroker();
    const agent = startAgent({ brokerUrl: broker.url });
    await waitFor("first connection", () => agent.isConnected());
    expect(broker.kickClient(agent.deviceId)).toBe(true);
    await waitFor("recovery", () => metricsOf(agent).totalRecoveries === 1);

    const [drop] = agent.diagnostics.getRecentDrops();
    expect(drop).toMatchObject({ errorName: expect.stringMatching(BROKER_CLOSE), reconnectAttempt: 0 });
    const resumed = agent.diagnostics.getRecentConnections().at(-1);
    expect(resumed).toMatchObject({ eventType: "resumed", attemptNumber: 1 });
    expect(requestedDelays.get(agent)).toEqual([100]);
    expect(resumed?.timeToReconnectSeconds).toBeGreaterThanOrEqual(0.1);
    expect(metricsOf(agent)).toMatchObject({
      totalConnections: 2,
      totalDrops: 1,
      totalRecoveries: 1,
      attemptDistribution: { "1": 1 },
      dropsByError: { [drop?.errorName ?? ""]: 1 },
    });
    expect(lifecycle).toContainEqual({ event: "disconnected", clientId: agent.deviceId, reason: "kicked" });
    // The drop could only be reported once reconnected; it arrives after the resumed connection's own report.
    await waitFor("drop report", () => reports.some((r) => r.report.type === "drop"));
    expect(reports.map((r) => r.report.type)).toEqual(expect.arrayContaining(["connection", "drop"]));
    expect(reports.every((r) => r.deviceId === agent.deviceId)).toBe(true);
  });

  it("credential expiry: the broker disconnects at expiry and the agent reconnects with fresh credentials", async () => {
    const { broker, lifecycle } = await startBroker({ authenticate: createSimulatorAuthenticator() });
    const deviceId = `meter-${randomUUID().slice(0, 8)}`;
    const expiries: number[] = [];
    const agent = startAgent({
      deviceId,
      brokerUrl: broker.url,
      getCredentials: () => {
        expiries.push(Date.now() + 700);
        return { username: deviceId, password: issueDeviceToken(deviceId, expiries.at(-1) ?? null) };
      },
    });
    await waitFor("two expiries and recoveries", () => metricsOf(agent).totalRecoveries >= 2);
    expect(
      lifecycle
        .filter((l) => l.clientId === deviceId && l.event === "disconnected")
        .map((l) => l.reason)
        .slice(0, 2),
    ).toEqual(["not_authorized", "not_authorized"]);
    // Each session ends at its own token's expiry, never before it (the broker may cut it late on a busy machine).
    const drops = agent.diagnostics.getRecentDrops().slice(0, 2);
    expect(drops).toHaveLength(2);
    drops.forEach((drop, i) => expect(Date.parse(drop.timestamp)).toBeGreaterThanOrEqual((expiries[i] ?? Infinity) - 5));
    expect(agent.exportJson()).not.toMatch(/lsk1\./);
  });

  it("wrong credentials: refusals with their CONNACK code at 100/200/400 ms, then a deep reconnect with fresh credentials", async () => {
    const { broker, lifecycle } = await startBroker({ authenticate: createSimulatorAuthenticator() });
    const deviceId = `valve-${randomUUID().slice(0, 8)}`;
    const agent = startAgent({
      deviceId,
      brokerUrl: broker.url,
      config: { deepReconnectThreshold: 3 },
      getCredentials: ({ deep }) => ({ username: deviceId, password: issueDeviceToken(deviceId, null, deep ? undefined : "stale-key") }),
    });
    await waitFor("deep reconnect", () => agent.isConnected());
    const failures = agent.diagnostics.getRecentConnectFailures();
    expect(failures.map((f) => [f.errorName, f.connackCode, f.attemptNumber, f.deep])).toEqual([
      ["CONNACK_REFUSED", 4, 0, false],
      ["CONNACK_REFUSED", 4, 1, false],
      ["CONNACK_REFUSED", 4, 2, false],
      ["CONNACK_REFUSED", 4, 3, false],
    ]);
    expect(requestedDelays.get(agent)).toEqual([100, 200, 400, 800]);
    const gaps = gapsBetween(failures.map((f) => f.timestamp));
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(agent.diagnostics.getRecentConnections()).toMatchObject([{ eventType: "deep_reconnected", attemptNumber: 4 }]);
    expect(lifecycle.filter((l) => l.clientId === deviceId && l.event === "connack").map((l) => l.reason)).toEqual(
      Array(4).fill("bad_username_or_password"),
    );
  });

  it("duplicate client ID: a second client takes the session over, and the agent takes it back", async () => {
    const { broker, lifecycle } = await startBroker();
    const agent = startAgent({ brokerUrl: broker.url, config: { initialReconnectDelayMs: 300 } });
    await waitFor("first connection", () => agent.isConnected());
    const twin = await mqtt.connectAsync(broker.url, { clientId: agent.deviceId, clean: true, reconnectPeriod: 0 });
    cleanups.push(() => twin.endAsync(true));
    await waitFor("agent took the session back", () => metricsOf(agent).totalRecoveries === 1);
    expect(agent.diagnostics.getRecentDrops()[0]?.errorName).toMatch(BROKER_CLOSE);
    const reasons = lifecycle.filter((l) => l.clientId === agent.deviceId && l.event === "disconnected").map((l) => l.reason);
    expect(reasons[0]).toBe("discarded");
  });

  it("NAT idle timeout: a keepalive longer than the gateway's idle timeout makes every session end with ECONNRESET", async () => {
    const { broker, lifecycle } = await startBroker();
    const target = { host: "127.0.0.1", port: broker.port };
    const proxy: NatGatewayProxy = await startNatGatewayProxy(target, { idleTimeoutMs: 800 });
    cleanups.push(() => proxy.close());
    const agent = startAgent({
      transport: () => net.createConnection({ host: "127.0.0.1", port: proxy.port }),
      config: { keepaliveSec: 2 },
    });
    await waitFor("two drops", () => metricsOf(agent).totalDrops >= 2);
    for (const drop of agent.diagnostics.getRecentDrops()) {
      // Silent until the first PINGREQ after 2 s meets the expired mapping (a keepalive timeout would not be a reset).
      expect(drop.errorName).toBe("ECONNRESET");
      expect(drop.durationConnectedSeconds).toBeGreaterThan(1.5);
    }
    // The broker never heard the reset: it sees its keepalive expire or the device's new connection take over.
    await waitFor("broker-side end of the first session", () =>
      lifecycle.some((l) => l.clientId === agent.deviceId && l.event === "disconnected"),
    );
    const brokerReasons = lifecycle.filter((l) => l.clientId === agent.deviceId && l.event === "disconnected").map((l) => l.reason);
    expect(brokerReasons.every((r) => r === "keepalive_timeout" || r === "discarded")).toBe(true);
    expect(proxy.expiredMappings()).toBeGreaterThanOrEqual(2);
  });

  it("flaky link: a gateway reset is ECONNRESET on the device and a socket error at the broker", async () => {
    const { broker, lifecycle } = await startBroker();
    const gateway: NatGatewayProxy = await startNatGatewayProxy({ host: "127.0.0.1", port: broker.port });
    cleanups.push(() => gateway.close());
    const agent = startAgent({ transport: () => net.createConnection({ host: "127.0.0.1", port: gateway.port }) });
    await waitFor("first connection", () => agent.isConnected());
    agent.reportSystemEvent("network_change", "wlan0 roamed");
    expect(gateway.resetAll()).toBe(1);
    await waitFor("recovery", () => metricsOf(agent).totalRecoveries === 1);
    expect(agent.diagnostics.getRecentDrops()[0]?.errorName).toBe("ECONNRESET");
    await waitFor("broker-side disconnect", () => lifecycle.some((l) => l.clientId === agent.deviceId && l.event === "disconnected"));
    expect(lifecycle.find((l) => l.clientId === agent.deviceId && l.event === "disconnected")?.reason).toMatch(/^(econnreset|tcp_closed)$/);
    // The system event precedes the drop in the device's own record, which is what correlation needs.
    const [system] = agent.diagnostics.getRecentSystemEvents();
    expect(system && system.seq < (agent.diagnostics.getRecentDrops()[0]?.seq ?? 0)).toBe(true);
  });

  it("no backoff: a device configured to retry at a fixed 200 ms hammers the broker while it is down", async () => {
    const { broker } = await startBroker();
    const agent = startAgent({ brokerUrl: broker.url, config: { initialReconnectDelayMs: 200, maxReconnectDelayMs: 200 } });
    await waitFor("first connection", () => agent.isConnected());
    await broker.restart({ downMs: 3_000 });
    await waitFor("recovery", () => metricsOf(agent).totalRecoveries === 1);
    const failures = agent.diagnostics.getRecentConnectFailures();
    expect(failures.length).toBeGreaterThanOrEqual(2);
    const delays = requestedDelays.get(agent) ?? [];
    expect(delays.length).toBeGreaterThanOrEqual(failures.length);
    expect(delays.every((ms) => ms === 200)).toBe(true);
    for (const gap of gapsBetween(failures.map((f) => f.timestamp))) expect(gap).toBeGreaterThanOrEqual(195);
  });

  it("broker rate limit: a burst over the limit is disconnected, and the queued burst remainder is sent after reconnecting", async () => {
    const { broker, lifecycle, messages } = await startBroker({ publishRateLimit: { maxMessages: 8, windowMs: 2_000 } });
    const agent = startAgent({ brokerUrl: broker.url, config: { initialReconnectDelayMs: 2_100, maxReconnectDelayMs: 2_100 } });
    await waitFor("first connection", () => agent.isConnected());
    const burst = Array.from({ length: 12 }, (_, i) => agent.publish(`cmd/${agent.deviceId}`, `m${i}`, { qos: 1 }));
    expect(burst.every((outcome) => outcome === "sent")).toBe(true);
    await waitFor("drop", () => metricsOf(agent).totalDrops === 1);
    expect(agent.publish(`cmd/${agent.deviceId}`, "after-drop", { qos: 1 })).toBe("queued");
    await waitFor("recovery", () => metricsOf(agent).totalRecoveries === 1);
    await waitFor("queued command delivered", () => messages.some((m) => m.payload === "after-drop"));
    expect(lifecycle).toContainEqual({ event: "disconnected", clientId: agent.deviceId, reason: "message_rate_too_high" });
    expect(metricsOf(agent)).toMatchObject({ publishedMessages: 13, queuedMessages: 1 });
  });

  it("broker restart: everyone drops, reconnects fail while it is down with backoff 100/200/400 ms, then resume", async () => {
    const { broker, lifecycle } = await startBroker();
    // Never deep within the outage: the point here is the plain backoff, and a deep attempt would end as deep_reconnected.
    const config = { deepReconnectThreshold: 50 };
    const agents = [startAgent({ brokerUrl: broker.url, config }), startAgent({ brokerUrl: broker.url, config })];
    await waitFor("both connected", () => agents.every((a) => a.isConnected()));
    const restarted = broker.restart({ downMs: 3_000 });
    await restarted;
    await waitFor("both recovered", () => agents.every((a) => metricsOf(a).totalRecoveries === 1));
    for (const agent of agents) {
      const failures = agent.diagnostics.getRecentConnectFailures();
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(failures.every((f) => f.errorName === "ECONNREFUSED")).toBe(true);
      // One backoff step per attempt (100, 200, 400, then the 800 ms cap), each waited out in full.
      const schedule = Array.from({ length: failures.length + 1 }, (_, i) => Math.min(100 * 2 ** i, 800));
      expect(requestedDelays.get(agent)?.slice(0, failures.length + 1)).toEqual(schedule);
      const gaps = gapsBetween([agent.diagnostics.getRecentDrops()[0]?.timestamp ?? "", ...failures.map((f) => f.timestamp)]);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((schedule[i] ?? 0) - 5));
      expect(agent.diagnostics.getRecentConnections().at(-1)).toMatchObject({ eventType: "resumed", attemptNumber: failures.length + 1 });
    }
    await waitFor("shutdown reasons", () =>
      agents.every((a) => lifecycle.some((l) => l.clientId === a.deviceId && l.reason === "server_shutting_down")),
    );
  });
});
