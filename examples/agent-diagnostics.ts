/**
 * The Linkscope agent in a device's Node program: hardened reconnects, device-side diagnostics, reports to the
 * fleet, a JSON export every interval and a summary on exit.
 *
 *   npx tsx examples/agent-diagnostics.ts [--url mqtt://127.0.0.1:1883] [--device my-device-01] [--seconds 60] [--out ./mqtt_diagnostics]
 *
 * MQTT_USERNAME / MQTT_PASSWORD are used when set; they never appear in the export, the reports or the summary.
 * Try it against `npm start`'s embedded broker (its URL is printed at start) or any MQTT 3.1.1/5 broker, and
 * restart the broker while it runs to see a drop, the backoff and the recovery recorded.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLinkscopeAgent } from "../lib/agent/linkscope-agent.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "mqtt://127.0.0.1:1883" },
    device: { type: "string", default: `example-device-${process.pid}` },
    seconds: { type: "string", default: "60" },
    out: { type: "string", default: "mqtt_diagnostics" },
    "export-every": { type: "string", default: "30" },
  },
});
const runSeconds = Number(values.seconds);
const exportEverySeconds = Number(values["export-every"]);
if (!(runSeconds > 0) || !(exportEverySeconds > 0)) throw new Error("--seconds and --export-every must be positive numbers");

const agent = createLinkscopeAgent({
  deviceId: values.device,
  brokerUrl: values.url,
  // Hardened defaults apply (keepalive 60 s, backoff 0.5 s → 60 s with jitter, deep reconnect after 5 failures,
  // unlimited attempts, 200 queued commands); override any of them here.
  config: { keepaliveSec: 60 },
  // Called before every attempt; `deep` asks for fresh credentials (e.g. a new token from your auth service).
  getCredentials: ({ deep }) => {
    if (deep) console.log("deep reconnect: fetching fresh credentials");
    return { username: process.env.MQTT_USERNAME, password: process.env.MQTT_PASSWORD };
  },
});

agent.diagnostics.onDrop((drop) => console.log(`drop: ${drop.errorName} after ${drop.durationConnectedSeconds} s connected (${drop.errorMessage})`));
agent.on("connected", ({ eventType, attemptNumber }) => console.log(`${eventType} (attempt ${attemptNumber})`));
agent.subscribe(`devices/${encodeURIComponent(values.device)}/commands`);
await agent.start();

// Telemetry: sent now when connected, else queued (bounded) and sent after the reconnect.
const telemetry = setInterval(() => {
  const outcome = agent.publish(`devices/${encodeURIComponent(values.device)}/telemetry`, JSON.stringify({ ts: Date.now(), temperature: 21.5 }), { qos: 1 });
  if (outcome !== "sent") console.log(`telemetry ${outcome} (${agent.queuedCommands()} waiting)`);
}, 5_000);

// Tell the agent about system events so drops can be correlated with them (here: a pretend DHCP renewal).
const dhcp = setTimeout(() => agent.reportSystemEvent("dhcp_renewal", "lease renewed on eth0"), 10_000);

mkdirSync(values.out, { recursive: true });
const writeExport = () => {
  const file = path.join(values.out, `diagnostics_${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, agent.exportJson());
  console.log(`exported ${file} (upload it on the device page if the device cannot reach Linkscope)`);
};
const exporter = setInterval(writeExport, exportEverySeconds * 1_000);

const finish = async () => {
  clearInterval(telemetry);
  clearInterval(exporter);
  clearTimeout(dhcp);
  writeExport();
  agent.printSummary();
  await agent.stop();
  process.exit(0);
};
setTimeout(() => void finish(), runSeconds * 1_000);
process.on("SIGINT", () => void finish());
