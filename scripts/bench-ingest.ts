/**
 * Ingest throughput in one run, side by side (issue 13): a reconnect storm of N devices (≈ 3 events each, AWS IoT
 * presence format) through every write path, each into a fresh database on TEST_DATABASE_URL's server (dropped at
 * the end):
 *   copy      COPY of the same rows into a plain table with a unique key (the ceiling)
 *   writer    recordIngestBatch alone, batches of 500, events parsed beforehand
 *   webhook   ingestWebhookBody (the route's verb), 500 records per body
 *   import    importFile of one JSON file
 *   worker    broker → worker process → Postgres (a private Mosquitto on BENCH_MQTT_PORT, default 1911)
 *   workers2  two worker processes sharing a `$share` group (not by default: Mosquitto 2.0.11 delivers no `$aws/…`
 *             topic through a `$share` subscription, so on this broker it measures nothing)
 * Run: npm run bench:ingest -- [devices=100000] [phases=copy,writer,webhook,import,worker]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import mqtt from "mqtt";
import { importFile } from "@/lib/ingest/import-file.ts";
import { ingestWebhookBody } from "@/lib/ingest/ingest-webhook.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import type { ConnectionEvent } from "@/lib/events/connection-event.ts";
import { parseAwsRecord } from "@/lib/sources/aws-iot.ts";
import { getRecordFormat } from "@/lib/sources/record-formats.ts";
import { awsPresenceTopic, generateReconnectStorm } from "@/lib/testing/reconnect-storm.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount } from "@/lib/db/sql-values.ts";

const devices = Number(process.argv[2] ?? 100_000);
const phases = (process.argv[3] ?? "copy,writer,webhook,import,worker").split(",");
const mqttPort = Number(process.env.BENCH_MQTT_PORT ?? 1911);
const BATCH = 500;
const BACKLOG_GRACE_MS = 30_000;
const NO_PROGRESS_LIMIT_MS = 120_000;

type PhaseResult = { phase: string; events: number; seconds: number; rssMb?: number; backlogAfter30s?: boolean; load: string };

const records = generateReconnectStorm({ devices, deviceIdPrefix: "storm-", startMs: Date.UTC(2026, 11, 1, 12, 0, 0), spreadMs: 60_000 });
const events = records.flatMap((r) => {
  const parsed = parseAwsRecord(r);
  if (!parsed.ok) throw new Error(`storm record did not parse: ${parsed.error}`);
  return parsed.events;
});
const expected = new Set(events.map((e) => e.dedupeKey)).size;
console.log(`storm: ${devices} devices, ${records.length} records, ${expected} distinct events; load ${loadAverage()}`);

const workDir = await mkdtemp(path.join(os.tmpdir(), "bench-ingest-"));
const results: PhaseResult[] = [];
try {
  for (const phase of phases) {
    const database = await createTestDatabase();
    try {
      const result = await runPhase(phase, database);
      results.push(result);
      console.log(`${phase}: ${result.events} events in ${result.seconds.toFixed(1)} s = ${Math.round(result.events / result.seconds)} ev/s` +
        (result.rssMb !== undefined ? `, max worker RSS ${result.rssMb} MB, backlog 30 s after last event: ${result.backlogAfter30s ? "yes" : "no"}` : "") + `; load ${result.load}`);
    } finally {
      await database.drop();
    }
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}
printTable(results);

async function runPhase(phase: string, database: TestDatabase): Promise<PhaseResult> {
  switch (phase) {
    case "copy":
      return { phase, events: expected, seconds: await copyCeiling(database.url), load: loadAverage() };
    case "writer":
      return timed(phase, async () => {
        for (let i = 0; i < events.length; i += BATCH) await recordIngestBatch(database.db, { events: events.slice(i, i + BATCH) });
      });
    case "webhook": {
      const format = getRecordFormat("aws-iot");
      if (!format) throw new Error("aws-iot format missing");
      const bodies: Buffer[] = [];
      for (let i = 0; i < records.length; i += BATCH) bodies.push(Buffer.from(JSON.stringify(records.slice(i, i + BATCH))));
      return timed(phase, async () => {
        for (const body of bodies) await ingestWebhookBody(database.db, format, body);
      });
    }
    case "import": {
      const format = getRecordFormat("aws-iot");
      if (!format) throw new Error("aws-iot format missing");
      const filePath = path.join(workDir, "storm.json");
      await writeFile(filePath, records.map((r) => JSON.stringify(r)).join("\n"));
      return timed(phase, async () => {
        await importFile(database.db, { filePath, format });
      });
    }
    case "worker":
      return throughBroker(phase, database, 1);
    case "workers2":
      return throughBroker(phase, database, 2);
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

async function timed(phase: string, run: () => Promise<void>): Promise<PhaseResult> {
  const started = performance.now();
  await run();
  return { phase, events: expected, seconds: (performance.now() - started) / 1000, load: loadAverage() };
}

/** The ceiling: the same rows (key, device, kind, time, reason, code, source, session, ordering, IP, payload) by COPY. */
async function copyCeiling(url: string): Promise<number> {
  const csvPath = path.join(workDir, "storm.csv");
  await writeFile(csvPath, events.map(toCsvRow).join("\n"));
  await psql(url, `CREATE TABLE bench_copy (id bigserial PRIMARY KEY, dedupe_key text NOT NULL UNIQUE, device_id text NOT NULL, kind text NOT NULL,
    occurred_at timestamptz NOT NULL, reason text NOT NULL, code text, source text NOT NULL, session_key text, ordering bigint, client_ip text, raw jsonb NOT NULL)`);
  const started = performance.now();
  await psql(url, `\\copy bench_copy (dedupe_key, device_id, kind, occurred_at, reason, code, source, session_key, ordering, client_ip, raw) FROM '${csvPath}' WITH (FORMAT csv)`);
  return (performance.now() - started) / 1000;
}

function toCsvRow(e: ConnectionEvent): string {
  const cell = (value: string | null) => (value === null ? "" : `"${value.replaceAll('"', '""')}"`);
  return [e.dedupeKey, e.deviceId, e.kind, e.occurredAt.toISOString(), e.reason, e.code, e.source, e.sessionKey, e.ordering?.toString() ?? null, e.clientIp, JSON.stringify(e.raw)].map(cell).join(",");
}

function psql(url: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}`))));
  });
}

/** Publishes the storm to a private broker as fast as it accepts it and waits until every event is stored. */
async function throughBroker(phase: string, database: TestDatabase, workerCount: number): Promise<PhaseResult> {
  const broker = await startMosquitto();
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(database.url, `bench-worker-${i}-${process.pid}`, workerCount > 1 ? "bench" : undefined));
    let maxRssMb = 0;
    const rssTimer = setInterval(() => {
      for (const worker of workers) maxRssMb = Math.max(maxRssMb, readRssMb(worker.pid));
    }, 500);
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `bench-publisher-${process.pid}`, clean: true });
    const started = performance.now();
    await Promise.all(records.map((r) => publisher.publishAsync(awsPresenceTopic(r), JSON.stringify(r), { qos: 1 })));
    const published = performance.now();
    await publisher.endAsync();
    console.log(`  published in ${((published - started) / 1000).toFixed(1)} s`);
    let stored = 0;
    let backlogAfter30s = false;
    let lastProgressAt = performance.now();
    for (;;) {
      const now = await countEvents(database);
      if (now > stored) lastProgressAt = performance.now();
      stored = now;
      if (stored >= expected) break;
      if (performance.now() - published > BACKLOG_GRACE_MS) backlogAfter30s = true;
      if (performance.now() - lastProgressAt > NO_PROGRESS_LIMIT_MS) {
        console.log(`  gave up: ${stored} of ${expected} events stored, none for ${NO_PROGRESS_LIMIT_MS / 1000} s`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(rssTimer);
    return { phase, events: stored, seconds, rssMb: maxRssMb, backlogAfter30s, load: loadAverage() };
  } finally {
    for (const worker of workers) await stopChild(worker);
    await stopChild(broker);
  }
}

async function countEvents(database: TestDatabase): Promise<number> {
  const [row] = await queryRows(database.db, "countEvents", z.object({ n: SqlCount }), Prisma.sql`SELECT count(*) AS n FROM connection_events`);
  return row?.n ?? 0;
}

async function startMosquitto(): Promise<ChildProcess> {
  const configPath = path.join(workDir, "mosquitto.conf");
  // The worker holds PUBACKs until commit: the broker must let a whole batch be in flight and queue the storm.
  await writeFile(configPath, [`listener ${mqttPort} 127.0.0.1`, "allow_anonymous true", "max_inflight_messages 2000", "max_queued_messages 0", "persistence false", ""].join("\n"));
  const broker = spawn("mosquitto", ["-c", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  await waitForLine(broker, /mosquitto version .* running/, "stderr");
  return broker;
}

async function startWorker(databaseUrl: string, clientId: string, sharedGroup: string | undefined): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      INGEST_SOURCE: "aws-iot",
      INGEST_CLIENT_ID: clientId,
      ...(sharedGroup ? { INGEST_SHARED_GROUP: sharedGroup } : {}),
      INCIDENT_DETECTION_INTERVAL_MS: "0",
      ALERT_EVALUATION_INTERVAL_MS: "0",
      ALERT_DELIVERY_INTERVAL_MS: "0",
      PROBE_SCHEDULE_TICK_MS: "0",
      LOG_LEVEL: "info",
    },
  });
  await waitForLine(worker, /"msg":"subscribed"/, "stdout");
  return worker;
}

function waitForLine(child: ChildProcess, pattern: RegExp, stream: "stdout" | "stderr"): Promise<void> {
  const input = child[stream];
  if (!input) throw new Error(`child has no ${stream}`);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input });
    lines.on("line", (line) => {
      if (pattern.test(line)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited (${code}) before printing ${pattern}`)));
  });
}

function readRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function loadAverage(): string {
  return os.loadavg().map((n) => n.toFixed(2)).join(" ");
}

function printTable(rows: PhaseResult[]): void {
  const ceiling = rows.find((r) => r.phase === "copy");
  const ceilingRate = ceiling ? ceiling.events / ceiling.seconds : null;
  console.log("\n| path | events/s | ratio to COPY | worker RSS (max) | backlog 30 s after last event | load average |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    const rate = r.events / r.seconds;
    console.log(`| ${r.phase} | ${Math.round(rate).toLocaleString("en")} | ${ceilingRate ? `${Math.round((rate / ceilingRate) * 100)} %` : "–"} | ${r.rssMb !== undefined ? `${Math.round(r.rssMb)} MB` : "–"} | ${r.backlogAfter30s === undefined ? "–" : r.backlogAfter30s ? "yes" : "no"} | ${r.load} |`);
  }
}
