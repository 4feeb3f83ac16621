import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_REPORT_TOPIC_FILTER, AgentReportSchema } from "@/lib/agent/export-format.ts";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import {
  chooseDevices,
  createSimulatorAuthenticator,
  DEMO_PUBLISH_RATE_LIMIT,
  SCENARIO_NAMES,
  startFleetSimulator,
  type FleetSimulator,
} from "./fleet-simulator.ts";
import { createSeededRandom } from "./seeded-random.ts";

type Seen = { event: string; clientId: string; reason: string | null; ip: string | null; connectedAt: number | null; at: number };
type Report = { deviceId: string; type: string; name: string | null; code: number | null };

const log = createLogger("fleet-simulator-test");
log.level = "silent";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A broker as `npm start` runs it, and a watcher recording its lifecycle events and the agents' reports. */
async function startWatchedBroker() {
  const broker: EmbeddedBroker = await startEmbeddedBroker({
    authenticate: createSimulatorAuthenticator(),
    publishRateLimit: DEMO_PUBLISH_RATE_LIMIT,
    log,
  });
  cleanups.push(() => broker.stop());
  const seen: Seen[] = [];
  const reports: Report[] = [];
  const watcher: MqttClient = await mqtt.connectAsync(broker.url, {
    clientId: `watcher-${randomUUID()}`,
    clean: false,
    reconnectPeriod: 200,
  });
  cleanups.push(() => watcher.endAsync(true));
  watcher.on("message", (topic, payload) => {
    const data = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
    if (topic.startsWith("linkscope/agent/")) {
      const { deviceId, report } = AgentReportSchema.parse(data);
      const name = report.type === "drop" || report.type === "connect_failed" ? report.event.errorName : null;
      const code = report.type === "connect_failed" ? report.event.connackCode : null;
      reports.push({ deviceId, type: report.type, name, code });
      return;
    }
    const text = (key: string) => (typeof data[key] === "string" ? data[key] : null);
    seen.push({
      event: topic.split("/").at(-1) ?? "",
      clientId: text("clientid") ?? "",
      reason: text("reason") ?? text("reason_code"),
      ip: text("ipaddress"),
      connectedAt: typeof data.connected_at === "number" ? data.connected_at : null,
      at: Date.now(),
    });
  });
  await watcher.subscribeAsync({ "$SYS/brokers/+/clients/#": { qos: 1 }, [AGENT_REPORT_TOPIC_FILTER]: { qos: 1 } });
  return { broker, seen, reports };
}

// Sized for a loaded 2-core machine; returns as soon as the condition holds, and the caller's assertion says what is missing.
async function waitFor(condition: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("chooseDevices", () => {
  it("puts the selected scenarios' fault devices first and fills up with healthy devices", () => {
    expect(chooseDevices(4, new Set(["nat-idle-timeout", "rate-limit", "healthy"])).map((d) => d.id)).toEqual([
      "hub-nat-01",
      "logger-burst-01",
      "plant 7/line#2+ü",
      "sensor-001",
    ]);
    expect(chooseDevices(5, new Set(["rate-limit"])).map((d) => d.id)).toEqual(["logger-burst-01"]);
    expect(chooseDevices(100, new Set(SCENARIO_NAMES))).toHaveLength(100);
  });
});

describe("startFleetSimulator against the embedded broker", () => {
  it("makes the broker and the devices' agents report each fault with its real reason, then stops every client", async () => {
    const { broker, seen, reports } = await startWatchedBroker();
    const has = (clientId: string, event: string, reasons?: string[]) =>
      seen.some((s) => s.clientId === clientId && s.event === event && (!reasons || (s.reason !== null && reasons.includes(s.reason))));
    const reported = (deviceId: string, type: string, name: string, code: number | null = null) =>
      reports.some((r) => r.deviceId === deviceId && r.type === type && r.name === name && (code === null || r.code === code));

    let simulator: FleetSimulator | undefined = await startFleetSimulator({
      mqttUrl: broker.url,
      devices: 10,
      timeScale: 6,
      log,
      random: createSeededRandom(3),
    });
    cleanups.push(() => simulator?.stop() ?? Promise.resolve());
    expect(simulator.scenarios).toHaveLength(10);

    const expectations: Record<string, () => boolean> = {
      "periodic: not_authorized, then a reconnect with a fresh token": () =>
        seen.some(
          (d) =>
            d.clientId === "meter-periodic-01" &&
            d.event === "disconnected" &&
            d.reason === "not_authorized" &&
            seen.some((c) => c.clientId === "meter-periodic-01" && c.event === "connected" && c.at >= d.at),
        ),
      "duplicate ID: takeovers": () => has("cam-dup-id-01", "disconnected", ["takenover", "discarded"]),
      "duplicate ID: two addresses": () =>
        new Set(seen.filter((s) => s.clientId === "cam-dup-id-01" && s.event === "connected").map((s) => s.ip)).size === 2,
      "hung link: keepalive_timeout": () => has("tracker-hung-01", "disconnected", ["keepalive_timeout"]),
      "hung link: the device saw its keepalive time out": () => reported("tracker-hung-01", "drop", "KEEPALIVE_TIMEOUT"),
      "bad auth: refused connack": () => has("valve-badauth-01", "connack", ["bad_username_or_password"]),
      // It never gets in, so it cannot publish reports: its agent keeps them for an export (uploaded on the device page).
      "bad auth: the device's agent recorded CONNACK 4": () =>
        simulator
          ?.agents()
          .some((a) => a.deviceId === "valve-badauth-01" && a.diagnostics.getRecentConnectFailures().some((f) => f.connackCode === 4)) ??
        false,
      "flaky: reset at the broker": () => has("gw-flaky-01", "disconnected", ["econnreset", "tcp_closed"]),
      "flaky: reset at the device, after a network change": () =>
        reported("gw-flaky-01", "drop", "ECONNRESET") && reports.some((r) => r.deviceId === "gw-flaky-01" && r.type === "system_event"),
      "tight loop: a burst of connects": () =>
        seen.filter((s) => s.clientId === "plug-tightloop-01" && s.event === "connected").length >= 10,
      "NAT idle: the device is reset": () => reported("hub-nat-01", "drop", "ECONNRESET"),
      "NAT idle: the broker sees a takeover or a keepalive timeout": () =>
        has("hub-nat-01", "disconnected", ["discarded", "keepalive_timeout"]),
      "rate limit: message_rate_too_high": () => has("logger-burst-01", "disconnected", ["message_rate_too_high"]),
      "awkward ID connects": () => has("plant 7/line#2+ü", "connected"),
    };
    const unmet = () =>
      Object.entries(expectations)
        .filter(([, check]) => !check())
        .map(([name]) => name);
    await waitFor(() => unmet().length === 0);
    expect(unmet()).toEqual([]);

    // No device ever gets in with the wrong password.
    expect(has("valve-badauth-01", "connected")).toBe(false);

    await simulator.stop();
    simulator = undefined;

    // Every connection the broker announced is closed again.
    const openConnections = () => {
      const open = new Set<string>();
      for (const s of seen) {
        const key = `${s.clientId}|${s.connectedAt ?? ""}`;
        if (s.event === "connected") open.add(key);
        if (s.event === "disconnected") open.delete(key);
      }
      return [...open].filter((key) => !key.startsWith("watcher-"));
    };
    await waitFor(() => openConnections().length === 0);
    expect(openConnections()).toEqual([]);
  });

  it("restarts the broker as a fleet-wide incident: every device drops with server_shutting_down and comes back", async () => {
    const { broker, seen } = await startWatchedBroker();
    const simulator = await startFleetSimulator({
      mqttUrl: broker.url,
      devices: 3,
      scenarios: ["healthy", "broker-restart"],
      timeScale: 6,
      brokerRestartEverySec: 15,
      broker,
      log,
      random: createSeededRandom(5),
    });
    cleanups.push(() => simulator.stop());
    expect(simulator.scenarios.at(-1)).toMatch(/^fleet-wide incident/);
    const ids = ["plant 7/line#2+ü", "sensor-001", "sensor-002"];
    const recovered = () =>
      ids.every((id) => {
        const shutdown = seen.find((s) => s.clientId === id && s.reason === "server_shutting_down");
        return shutdown !== undefined && seen.some((s) => s.clientId === id && s.event === "connected" && s.at > shutdown.at);
      });
    await waitFor(recovered);
    expect(recovered()).toBe(true);
    // One restart took the whole fleet down: every device's shutdown precedes every device's return.
    const shutdownTimes = ids.map((id) => seen.find((s) => s.clientId === id && s.reason === "server_shutting_down")?.at ?? Infinity);
    const returnTimes = ids.map(
      (id, i) => seen.find((s) => s.clientId === id && s.event === "connected" && s.at > (shutdownTimes[i] ?? Infinity))?.at ?? -Infinity,
    );
    expect(Math.max(...shutdownTimes)).toBeLessThanOrEqual(Math.min(...returnTimes));
    await simulator.stop();
  });
});
