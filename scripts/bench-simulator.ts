/**
 * `npm run bench:simulator [-- seconds]`: the embedded broker and the whole simulated fleet (every device running
 * the agent) in this process, measured after a 5 s warm-up: CPU as a share of one core, resident memory, and the
 * drops the devices' agents recorded. Broker restarts are off here (they would only add idle time).
 */
import { startEmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import {
  createSimulatorAuthenticator,
  DEMO_PUBLISH_RATE_LIMIT,
  SCENARIO_NAMES,
  startFleetSimulator,
} from "@/demo/simulator/fleet-simulator.ts";

const log = createLogger("bench");
log.level = "silent";
const seconds = Number(process.argv[2] ?? 60);
if (!(seconds > 0)) throw new Error("usage: npm run bench:simulator -- <seconds>");

const broker = await startEmbeddedBroker({ authenticate: createSimulatorAuthenticator(), publishRateLimit: DEMO_PUBLISH_RATE_LIMIT, log });
const simulator = await startFleetSimulator({
  mqttUrl: broker.url,
  scenarios: SCENARIO_NAMES.filter((name) => name !== "broker-restart"),
  log,
});
await new Promise((resolve) => setTimeout(resolve, 5_000));
const cpuBefore = process.cpuUsage();
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
const cpu = process.cpuUsage(cpuBefore);
const wallMs = performance.now() - started;
const metrics = simulator.agents().map((agent) => agent.diagnostics.getMetrics());
console.log(
  JSON.stringify({
    devices: simulator.devices,
    seconds,
    cpuPercentOfOneCore: Number((((cpu.user + cpu.system) / 1_000 / wallMs) * 100).toFixed(1)),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    drops: metrics.reduce((sum, m) => sum + m.totalDrops, 0),
    failedAttempts: metrics.reduce((sum, m) => sum + m.totalConnectFailures, 0),
    published: metrics.reduce((sum, m) => sum + m.publishedMessages, 0),
  }),
);
await simulator.stop();
await broker.stop();
process.exit(0);
