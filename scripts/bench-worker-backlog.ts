// Worker backlog drain: a backlog of QoS 1 messages is queued for the worker's persistent session while no worker
// runs, then the worker starts as its own process (`node --import tsx worker/main.ts`) and drains it.
// Reports the drain rate, the worker process's peak RSS (VmHWM) and its CPU per message (user + system, /proc; the
// figure a loaded machine distorts least). Several checkouts side by side in one run:
//   BENCH_WORKER_DIRS=/work/main,. npm run bench:worker-backlog
// Env: BENCH_MESSAGES (150000), BENCH_DEVICES (50000), BENCH_BROKER (mosquitto | embedded), BENCH_MQTT_PORT (1921),
// BENCH_WORKER_ENV (extra worker env, `;`-separated variants of comma-separated KEY=VALUE, e.g.
// "INGEST_LANES=1;INGEST_LANES=2,INGEST_BATCH_SIZE=2000"; a value may contain `=`), BENCH_PAYLOAD_BYTES (pads each
// message to about this size with an extra field, default: no padding), BENCH_WORKER_LOG (a path: each worker's log
// goes to <path>.<run>; set LOG_LEVEL=info in BENCH_WORKER_ENV for a line per batch), TEST_DATABASE_URL (server for the
// throwaway databases). A drain that stores nothing for two minutes ends the run with an error, never a hang.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, openSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { startEmbeddedBroker, type EmbeddedBroker } from "@/demo/broker/embedded-broker.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { readProcessCpuMs, readProcessStatusKb } from "@/lib/testing/process-status.ts";
import { publishAll } from "@/lib/testing/publish-all.ts";
import { createTestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount } from "@/lib/db/sql-values.ts";

const messages = Number(process.env.BENCH_MESSAGES ?? 150_000);
const devices = Number(process.env.BENCH_DEVICES ?? 50_000);
const brokerKind = process.env.BENCH_BROKER ?? "mosquitto";
const port = Number(process.env.BENCH_MQTT_PORT ?? 1921);
const workerDirs = (process.env.BENCH_WORKER_DIRS ?? ".").split(",").map((dir) => path.resolve(dir.trim()));
const envVariants = (process.env.BENCH_WORKER_ENV ?? "").split(";").map(parseEnvList);
const payloadBytes = Number(process.env.BENCH_PAYLOAD_BYTES ?? 0);
const workerLog = process.env.BENCH_WORKER_LOG ?? null;
const NO_PROGRESS_LIMIT_MS = 120_000;
// Events of the last hours, as a real backlog: events older than the retention period (RETENTION_EVENT_DAYS) are
// deleted by the worker's own retention pass, and the drain would never finish (it did, with events dated 2023).
const backlogStartMs = Date.now() - messages * 10;
const log = createLogger("bench");
log.level = "warn";

type Result = {
  worker: string;
  env: string;
  fillS: number;
  drainS: number;
  rate: number;
  peakRssMb: number;
  cpuUsPerMessage: number;
  load: string;
};

function parseEnvList(list: string): Record<string, string> {
  return Object.fromEntries(
    list
      .split(",")
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

/** A Mosquitto of our own: the shared one keeps 1,000 queued messages per session and 20 in flight (its defaults). */
async function startMosquitto(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-mosquitto-"));
  const config = path.join(dir, "mosquitto.conf");
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_queued_messages 0",
      "max_inflight_messages 0",
      "",
    ].join("\n"),
  );
  const child = spawn("mosquitto", ["-c", config], { stdio: "ignore" });
  const url = `mqtt://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 });
      await probe.endAsync();
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function message(run: string, i: number): string {
  const device = `bench-${run}-${i % devices}`;
  const at = backlogStartMs + i * 10;
  const text = lifecycleMessage(device, at, i);
  // EMQX rule payloads may carry any extra field (user properties, the rule's own columns); the adapter keeps it in raw.
  return payloadBytes > text.length ? `${text.slice(0, -1)},"padding":"${"x".repeat(payloadBytes - text.length - 14)}"}` : text;
}

function lifecycleMessage(device: string, at: number, i: number): string {
  return i % 2 === 0
    ? JSON.stringify({
        event: "client.connected",
        clientid: device,
        node: "bench@127.0.0.1",
        connected_at: at,
        ipaddress: "10.0.0.1",
        keepalive: 60,
        proto_ver: 4,
      })
    : JSON.stringify({
        event: "client.disconnected",
        clientid: device,
        reason: "keepalive_timeout",
        node: "bench@127.0.0.1",
        connected_at: at - 10,
        disconnected_at: at,
      });
}

async function queueBacklog(url: string, clientId: string, topic: string, run: string): Promise<number> {
  const session = await mqtt.connectAsync(url, { clientId, clean: false, reconnectPeriod: 0 });
  await session.subscribeAsync(topic, { qos: 1 });
  await session.endAsync();
  const started = performance.now();
  const publisher = await mqtt.connectAsync(url, { clientId: `${clientId}-pub`, reconnectPeriod: 0 });
  await publishAll(
    publisher,
    Array.from({ length: messages }, (_, i) => ({ topic, payload: message(run, i) })),
  );
  await publisher.endAsync();
  return (performance.now() - started) / 1000;
}

async function runOnce(brokerUrl: string, workerDir: string, extraEnv: Record<string, string>): Promise<Result> {
  const testDb = await createTestDatabase();
  const run = randomUUID().slice(0, 8);
  const clientId = `bench-worker-${run}`;
  const topic = `linkscope-bench/${run}/events`;
  try {
    const fillS = await queueBacklog(brokerUrl, clientId, topic, run);
    const loadBefore = os.loadavg()[0]!.toFixed(2);
    const worker = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
      cwd: workerDir,
      stdio: ["ignore", workerLog === null ? "ignore" : openSync(`${workerLog}.${run}`, "w"), "inherit"],
      env: {
        ...process.env,
        DATABASE_URL: testDb.url,
        MQTT_URL: brokerUrl,
        INGEST_TOPICS: topic,
        INGEST_CLIENT_ID: clientId,
        LOG_LEVEL: "warn",
        // The periodic jobs are measured by their own benchmarks.
        INCIDENT_DETECTION_INTERVAL_MS: "0",
        ALERT_EVALUATION_INTERVAL_MS: "0",
        ALERT_DELIVERY_INTERVAL_MS: "0",
        PROBE_SCHEDULE_TICK_MS: "0",
        ...extraEnv,
      },
    });
    const pid = worker.pid!;
    let firstStoredAt: number | null = null;
    let stored = 0;
    let cpuMs = 0;
    let peakRssKb = 0;
    try {
      let lastProgressAt = performance.now();
      for (;;) {
        if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode} after storing ${stored} of ${messages}`);
        const rows = await queryRows(
          testDb.db,
          "countEvents",
          z.object({ n: SqlCount }),
          Prisma.sql`SELECT count(*)::bigint AS n FROM connection_events`,
        );
        const now = rows[0]?.n ?? 0;
        if (now > stored) lastProgressAt = performance.now();
        stored = now;
        if (stored > 0 && firstStoredAt === null) firstStoredAt = performance.now();
        if (stored >= messages) break;
        if (performance.now() - lastProgressAt > NO_PROGRESS_LIMIT_MS)
          throw new Error(`drain stalled: ${stored} of ${messages} stored, none for ${NO_PROGRESS_LIMIT_MS / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      peakRssKb = readProcessStatusKb(pid, "VmHWM");
      cpuMs = readProcessCpuMs(pid);
    } finally {
      await stopChild(worker);
    }
    const drainS = (performance.now() - (firstStoredAt ?? performance.now())) / 1000;
    const loadAfter = os.loadavg()[0]!.toFixed(2);
    return {
      worker: workerDir,
      env:
        Object.entries(extraEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ") || "(defaults)",
      fillS,
      drainS,
      rate: Math.round(stored / Math.max(drainS, 0.001)),
      peakRssMb: Math.round(peakRssKb / 1024),
      cpuUsPerMessage: Math.round((cpuMs * 1000) / messages),
      load: `${loadBefore} → ${loadAfter}`,
    };
  } finally {
    await testDb.drop();
  }
}

let embedded: EmbeddedBroker | null = null;
let mosquitto: { url: string; stop(): Promise<void> } | null = null;
try {
  let brokerUrl: string;
  if (brokerKind === "embedded") {
    embedded = await startEmbeddedBroker({ log, port });
    brokerUrl = embedded.url;
  } else {
    mosquitto = await startMosquitto();
    brokerUrl = mosquitto.url;
  }
  console.log(
    `Backlog of ${messages.toLocaleString("en")} messages over ${devices.toLocaleString("en")} devices, broker ${brokerKind}, ${os.cpus().length} cores`,
  );
  console.log("| worker | env | fill s | drain s | events/s | peak RSS MB | worker CPU µs / message | load avg (1 min) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const extraEnv of envVariants) {
    for (const dir of workerDirs) {
      const r = await runOnce(brokerUrl, dir, extraEnv);
      console.log(
        `| ${r.worker} | ${r.env} | ${r.fillS.toFixed(1)} | ${r.drainS.toFixed(1)} | ${r.rate.toLocaleString("en")} | ${r.peakRssMb} | ${r.cpuUsPerMessage} | ${r.load} |`,
      );
    }
  }
} finally {
  await embedded?.stop();
  await mosquitto?.stop();
}
process.exit(0);
