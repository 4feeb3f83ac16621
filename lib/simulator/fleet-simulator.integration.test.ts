import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/lib/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { createSimulatorAuthenticator, startFleetSimulator, type FleetSimulator } from "./fleet-simulator.ts";
import { createSeededRandom } from "./seeded-random.ts";

type Seen = { event: string; clientId: string; reason: string | null; ip: string | null; connectedAt: number | null; at: number };

const log = createLogger("fleet-simulator-test");
log.level = "silent";

let broker: EmbeddedBroker;
let watcher: MqttClient;
let simulator: FleetSimulator | undefined;
const seen: Seen[] = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({ authenticate: createSimulatorAuthenticator(), log });
  watcher = await mqtt.connectAsync(broker.url, { clientId: `watcher-${randomUUID()}`, reconnectPeriod: 0 });
  watcher.on("message", (topic, payload) => {
    const data = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
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
  await watcher.subscribeAsync("$SYS/brokers/+/clients/#", { qos: 1 });
});

afterAll(async () => {
  await simulator?.stop();
  await watcher?.endAsync();
  await broker?.stop();
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const has = (clientId: string, event: string, reasons?: string[]) =>
  seen.some((s) => s.clientId === clientId && s.event === event && (!reasons || (s.reason !== null && reasons.includes(s.reason))));

describe("startFleetSimulator against the embedded broker", () => {
  it("makes the broker report each fault with its real reason, then stops every client quickly", async () => {
    const started = Date.now();
    simulator = await startFleetSimulator({ mqttUrl: broker.url, devices: 8, timeScale: 6, log, random: createSeededRandom(3) });
    expect(simulator.scenarios).toHaveLength(7);

    const expectations: Record<string, () => boolean> = {
      "periodic: not_authorized, then a reconnect with a fresh token": () =>
        seen.some((d) => d.clientId === "meter-periodic-01" && d.event === "disconnected" && d.reason === "not_authorized" &&
          seen.some((c) => c.clientId === "meter-periodic-01" && c.event === "connected" && c.at >= d.at)),
      "duplicate ID: takeovers": () => has("cam-dup-id-01", "disconnected", ["takenover", "discarded"]),
      "duplicate ID: two addresses": () =>
        new Set(seen.filter((s) => s.clientId === "cam-dup-id-01" && s.event === "connected").map((s) => s.ip)).size === 2,
      "hung link: keepalive_timeout": () => has("tracker-hung-01", "disconnected", ["keepalive_timeout"]),
      "bad auth: refused connack": () => has("valve-badauth-01", "connack", ["bad_username_or_password"]),
      "flaky: tcp_closed": () => has("gw-flaky-01", "disconnected", ["tcp_closed"]),
      "tight loop: a burst of connects": () => seen.filter((s) => s.clientId === "plug-tightloop-01" && s.event === "connected").length >= 10,
      "awkward ID connects": () => has("plant 7/line#2+ü", "connected"),
    };
    const unmet = () => Object.entries(expectations).filter(([, check]) => !check()).map(([name]) => name);
    await waitFor(() => unmet().length === 0, 25_000);
    expect(unmet()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000);

    // No device ever gets in with the wrong password.
    expect(has("valve-badauth-01", "connected")).toBe(false);

    const stopStarted = Date.now();
    await simulator.stop();
    expect(Date.now() - stopStarted).toBeLessThan(2_000);

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
    await waitFor(() => openConnections().length === 0, 3_000);
    expect(openConnections()).toEqual([]);
  });
});
