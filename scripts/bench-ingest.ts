/**
 * Ingest throughput in one run, side by side (issue 13): a reconnect storm of N devices (≈ 3 events each, AWS IoT
 * presence format) through every write path, each into a fresh database on TEST_DATABASE_URL's server (dropped at
 * the end):
 *   copy      COPY of the same rows into a plain table with a unique key (the ceiling)
 *   writer    recordIngestBatch alone, batches of 500 (BENCH_WRITER_BATCH), events parsed beforehand; also Node and
 *             Postgres CPU per event (process.cpuUsage, /proc of the database's server processes)
 *   webhook   ingestWebhookBody (the route's verb), 500 records per body
 *   import    importFile of one JSON file
 *   worker    broker → worker process → Postgres (a private Mosquitto on BENCH_MQTT_PORT, default 1911)
 *   shared1   one worker process in a `$share/bench/…` group, the storm on a rule-republish topic (Mosquitto 2.0.11
 *             delivers no `$aws/…` topic through a `$share` subscription)
 *   shared2   the same with two worker processes in the group (decision 034: they must not serialize on hot rows)
 *   known1, known2  shared1 / shared2 for a fleet the database already knows (device rows exist, as when a known fleet
 *             reconnects): in shared2 every device is new, and two workers inserting one new device wait on each other
 *   split1, split2  one worker, then two, where the broker hands each device's events to one worker (as EMQX's
 *             `hash_clientid` shared-subscription strategy does): the storm is republished under one of two topic
 *             partitions by device (laneOf), split2's workers subscribe to one partition each, split1's to both. A `$share`
 *             group deals a device's events to both workers, whose batches then wait on each other's device rows
 * Run: npm run bench:ingest -- [devices=100000] [phases=copy,writer,webhook,import,worker]
 * The worker phases run `worker/main.ts` of BENCH_WORKER_DIR (default: this checkout), e.g. another worktree for a
 * before/after comparison with the same script; with BENCH_WORKER_BUILT=1, the production worker instead (`npm run
 * build:worker` in that directory first, then `node --enable-source-maps dist/worker/main.js`, as `npm run worker:prod`).
 * Side by side, one worker vs two: npm run bench:ingest -- 3000 shared1,shared2,known1,known2
 * BENCH_WORKER_CPU=<cores> (root): each worker process may use at most that many CPUs (a control group of its own,
 * lib/testing/cpu-limit.ts), so one worker against two stands in for workers on machines of their own, with the
 * database and the broker no longer sharing the workers' cores.
 * BENCH_WORKER_LOG=<path>: each worker's log (a line per batch) is appended to <path>.<client ID>.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
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
import { awsPresenceTopic, generateReconnectStorm, type AwsPresenceRecord } from "@/lib/testing/reconnect-storm.ts";
import { measureCpuPerEvent, readBackendCpuMs } from "@/lib/testing/backend-cpu.ts";
import { readMachineCpuMs, readProcessCpuMs, readProcessStatusKb } from "@/lib/testing/process-status.ts";
import { publishAll } from "@/lib/testing/publish-all.ts";
import { laneOf } from "@/lib/ingest/batch-lanes.ts";
import { limitProcessCpu } from "@/lib/testing/cpu-limit.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { z } from "zod";
import { Prisma } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlCount } from "@/lib/db/sql-values.ts";

const devices = Number(process.argv[2] ?? 100_000);
const phases = (process.argv[3] ?? "copy,writer,webhook,import,worker").split(",");
const mqttPort = Number(process.env.BENCH_MQTT_PORT ?? 1911);
const workerDir = path.resolve(process.env.BENCH_WORKER_DIR ?? ".");
const workerBuilt = process.env.BENCH_WORKER_BUILT === "1";
const workerCpuLimit = process.env.BENCH_WORKER_CPU ? Number(process.env.BENCH_WORKER_CPU) : null;
const workerLogFile = process.env.BENCH_WORKER_LOG;
const workerArgs = workerBuilt ? ["--enable-source-maps", "dist/worker/main.js"] : ["--import", "tsx", "worker/main.ts"];
const BATCH = 500;
const WRITER_BATCH = Number(process.env.BENCH_WRITER_BATCH ?? BATCH);
const BACKLOG_GRACE_MS = 30_000;
const NO_PROGRESS_LIMIT_MS = 120_000;

type PhaseResult = {
  phase: string;
  events: number;
  seconds: number;
  /** The workers' peak resident set (VmHWM; the largest of them). */
  rssMb?: number;
  /** The workers' CPU (user + system, /proc) per stored event, in µs. */
  workerCpuUs?: number;
  /** Through the broker: CPU per stored event of the other processes, and of the whole machine, from publish to stored. */
  brokerCpu?: { postgresUs: number; brokerUs: number; publisherUs: number; machineUs: number; idleShare: number };
  /** Events not yet stored 30 s after the last publish was acknowledged. */
  backlogAt30s?: number;
  /** Share of samples of the workers' database sessions that were waiting on a lock (row or transaction). */
  lockWaitShare?: number;
  cpu?: { nodeUs: number; postgresUs: number };
  load: string;
};

/** Where an IoT rule would republish the presence events: a topic a `$share` group receives on every broker. */
const REPUBLISH_PREFIX = "bench/aws-presence";
const republishTopic = (r: AwsPresenceRecord) => `${REPUBLISH_PREFIX}/${r.eventType}/${r.clientId}`;
const PARTITIONS = 2;
const partitionedTopic = (r: AwsPresenceRecord) => `${REPUBLISH_PREFIX}-${laneOf(r.clientId, PARTITIONS)}/${r.eventType}/${r.clientId}`;
const partitionTopics = (partitions: number[]) => partitions.map((p) => `${REPUBLISH_PREFIX}-${p}/#`).join(",");

if (workerBuilt && phases.some((phase) => phase === "worker" || /^(shared|known|split)\d/.test(phase)))
  execFileSync("npm", ["run", "--silent", "build:worker"], { cwd: workerDir, stdio: "inherit" });

const records = generateReconnectStorm({ devices, deviceIdPrefix: "storm-", startMs: Date.UTC(2026, 11, 1, 12, 0, 0), spreadMs: 60_000 });
const events = records.flatMap((r) => {
  const parsed = parseAwsRecord(r);
  if (!parsed.ok) throw new Error(`storm record did not parse: ${parsed.error}`);
  return parsed.events;
});
const expected = new Set(events.map((e) => e.dedupeKey)).size;
console.log(`storm: ${devices} devices, ${records.length} records, ${expected} distinct events; load ${loadAverage()}`);
if (workerCpuLimit !== null) console.log(`each worker process limited to ${workerCpuLimit} CPUs (BENCH_WORKER_CPU)`);

const workDir = await mkdtemp(path.join(os.tmpdir(), "bench-ingest-"));
const results: PhaseResult[] = [];
const failures: string[] = [];
try {
  for (const phase of phases) {
    const database = await createTestDatabase();
    try {
      const result = await runPhase(phase, database);
      results.push(result);
      console.log(
        `${phase}: ${result.events} events in ${result.seconds.toFixed(1)} s = ${Math.round(result.events / result.seconds)} ev/s` +
          (result.rssMb !== undefined
            ? `, worker peak RSS ${Math.round(result.rssMb)} MB, worker CPU ${result.workerCpuUs} µs per event, events not stored 30 s after the last publish: ${result.backlogAt30s}`
            : "") +
          (result.cpu ? `, CPU per event: Node ${result.cpu.nodeUs} µs, Postgres ${result.cpu.postgresUs} µs` : "") +
          (result.brokerCpu
            ? `; CPU per event from the first publish: Postgres ${result.brokerCpu.postgresUs} µs, broker ${result.brokerCpu.brokerUs} µs, publisher ${result.brokerCpu.publisherUs} µs, whole machine ${result.brokerCpu.machineUs} µs (${Math.round(result.brokerCpu.idleShare * 100)} % idle)`
            : "") +
          `; load ${result.load}`,
      );
    } catch (error) {
      failures.push(`${phase}: ${(error as Error).message}`);
      console.log(`${phase} failed: ${(error as Error).message}; load ${loadAverage()}`);
    } finally {
      await database.drop();
    }
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}
printTable(results);
if (failures.length > 0) console.log(`\nFailed phases:\n${failures.join("\n")}`);
// Ends here even if a client of a dropped database still holds a handle.
process.exit(failures.length > 0 ? 1 : 0);

async function runPhase(phase: string, database: TestDatabase): Promise<PhaseResult> {
  switch (phase) {
    case "copy":
      return { phase, events: expected, seconds: await copyCeiling(database.url), load: loadAverage() };
    case "writer": {
      let cpu: PhaseResult["cpu"];
      const result = await timed(phase, async () => {
        cpu = await measureCpuPerEvent(database.db, expected, async () => {
          for (let i = 0; i < events.length; i += WRITER_BATCH)
            await recordIngestBatch(database.db, { events: events.slice(i, i + WRITER_BATCH) });
        });
      });
      return { ...result, cpu };
    }
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
      return throughBroker(phase, database, { workers: 1, topic: awsPresenceTopic });
    case "shared1":
      return throughBroker(phase, database, { workers: 1, topic: republishTopic, sharedGroup: "bench" });
    case "shared2":
      return throughBroker(phase, database, { workers: 2, topic: republishTopic, sharedGroup: "bench" });
    case "split1":
      return throughBroker(phase, database, { workers: 1, topic: partitionedTopic, workerTopics: () => partitionTopics([0, 1]) });
    case "split2":
      return throughBroker(phase, database, { workers: 2, topic: partitionedTopic, workerTopics: (i) => partitionTopics([i]) });
    case "known1":
    case "known2":
      await registerDevices(database);
      return throughBroker(phase, database, { workers: phase === "known1" ? 1 : 2, topic: republishTopic, sharedGroup: "bench" });
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
  await psql(
    url,
    `CREATE TABLE bench_copy (id bigserial PRIMARY KEY, dedupe_key text NOT NULL UNIQUE, device_id text NOT NULL, kind text NOT NULL,
    occurred_at timestamptz NOT NULL, reason text NOT NULL, code text, source text NOT NULL, session_key text, ordering bigint, client_ip text, raw jsonb NOT NULL)`,
  );
  const started = performance.now();
  await psql(
    url,
    `\\copy bench_copy (dedupe_key, device_id, kind, occurred_at, reason, code, source, session_key, ordering, client_ip, raw) FROM '${csvPath}' WITH (FORMAT csv)`,
  );
  return (performance.now() - started) / 1000;
}

function toCsvRow(e: ConnectionEvent): string {
  const cell = (value: string | null) => (value === null ? "" : `"${value.replaceAll('"', '""')}"`);
  return [
    e.dedupeKey,
    e.deviceId,
    e.kind,
    e.occurredAt.toISOString(),
    e.reason,
    e.code,
    e.source,
    e.sessionKey,
    e.ordering?.toString() ?? null,
    e.clientIp,
    JSON.stringify(e.raw),
  ]
    .map(cell)
    .join(",");
}

function psql(url: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}`))));
  });
}

/** Publishes the storm to a private broker as fast as it accepts it and waits until every event is stored. */
async function throughBroker(
  phase: string,
  database: TestDatabase,
  route: {
    workers: number;
    topic: (r: AwsPresenceRecord) => string;
    sharedGroup?: string;
    /** The topics worker `i` subscribes to, when not the source's own or the shared group's. */
    workerTopics?: (i: number) => string;
  },
): Promise<PhaseResult> {
  const broker = await startMosquitto();
  const workers: ChildProcess[] = [];
  const cpuLimits: Array<() => void> = [];
  try {
    for (let i = 0; i < route.workers; i++) {
      const topics = route.workerTopics?.(i) ?? (route.sharedGroup ? `${REPUBLISH_PREFIX}/#` : undefined);
      const worker = await startWorker(database.url, `bench-worker-${i}-${process.pid}`, route.sharedGroup, topics);
      workers.push(worker);
      if (workerCpuLimit !== null && worker.pid !== undefined) cpuLimits.push(limitProcessCpu(worker.pid, workerCpuLimit));
    }
    const locks = sampleLockWaits(database);
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `bench-publisher-${process.pid}`, clean: true });
    const cpuBefore = {
      backends: await readBackendCpuMs(database.db),
      broker: readProcessCpuMs(broker.pid),
      publisher: process.cpuUsage(),
    };
    const machineBefore = readMachineCpuMs();
    const started = performance.now();
    await publishAll(
      publisher,
      records.map((r) => ({ topic: route.topic(r), payload: JSON.stringify(r) })),
    );
    const published = performance.now();
    await publisher.endAsync();
    console.log(`  published in ${((published - started) / 1000).toFixed(1)} s`);
    const { stored, backlogAt30s } = await waitUntilStored(database, workers, published);
    const seconds = (performance.now() - started) / 1000;
    const brokerCpu = await cpuPerEventSince(database, broker, cpuBefore, machineBefore, stored);
    // VmHWM: each worker's peak resident set since it started, not a sample that may miss the peak.
    const rssMb = Math.max(...workers.map((worker) => readProcessStatusKb(worker.pid, "VmHWM") / 1024));
    const workerCpuUs = Math.round((workers.reduce((sum, worker) => sum + readProcessCpuMs(worker.pid), 0) * 1000) / stored);
    return {
      phase,
      events: stored,
      seconds,
      rssMb,
      workerCpuUs,
      brokerCpu,
      backlogAt30s,
      lockWaitShare: await locks.stop(),
      load: loadAverage(),
    };
  } finally {
    for (const worker of workers) await stopChild(worker);
    for (const release of cpuLimits) release();
    await stopChild(broker);
  }
}

/**
 * CPU per stored event since `before`: the database's server processes (the workers' sessions; one that ended meanwhile
 * is missed), the broker, this process (the publisher, and the polling), and the whole machine with its idle share.
 */
async function cpuPerEventSince(
  database: TestDatabase,
  broker: ChildProcess,
  before: { backends: Map<number, number>; broker: number; publisher: NodeJS.CpuUsage },
  machineBefore: { busyMs: number; idleMs: number },
  stored: number,
): Promise<NonNullable<PhaseResult["brokerCpu"]>> {
  const machine = readMachineCpuMs();
  const busyMs = machine.busyMs - machineBefore.busyMs;
  const idleMs = machine.idleMs - machineBefore.idleMs;
  let postgresMs = 0;
  for (const [pid, ms] of await readBackendCpuMs(database.db)) postgresMs += ms - (before.backends.get(pid) ?? 0);
  const publisher = process.cpuUsage(before.publisher);
  const perEvent = (ms: number) => Math.round((ms * 1000) / stored);
  return {
    postgresUs: perEvent(postgresMs),
    brokerUs: perEvent(readProcessCpuMs(broker.pid) - before.broker),
    publisherUs: perEvent((publisher.user + publisher.system) / 1000),
    machineUs: perEvent(busyMs),
    idleShare: idleMs / (busyMs + idleMs),
  };
}

/**
 * Polls the stored event count until every distinct event of the storm is stored. Throws, saying how far it got,
 * when a worker exits or nothing more is stored for NO_PROGRESS_LIMIT_MS (a stall must end the run, not hang it).
 */
async function waitUntilStored(
  database: TestDatabase,
  workers: readonly ChildProcess[],
  published: number,
): Promise<{ stored: number; backlogAt30s: number }> {
  let stored = 0;
  let backlogAt30s: number | null = null;
  let lastProgressAt = performance.now();
  for (;;) {
    const now = await countEvents(database);
    if (now > stored) lastProgressAt = performance.now();
    stored = now;
    if (backlogAt30s === null && performance.now() - published >= BACKLOG_GRACE_MS) backlogAt30s = expected - stored;
    if (stored >= expected) return { stored, backlogAt30s: backlogAt30s ?? 0 };
    const exited = workers.find((worker) => worker.exitCode !== null || worker.signalCode !== null);
    if (exited) throw new Error(`a worker exited (${exited.exitCode ?? exited.signalCode}) with ${stored} of ${expected} events stored`);
    if (performance.now() - lastProgressAt > NO_PROGRESS_LIMIT_MS)
      throw new Error(
        `stalled: ${stored} of ${expected} events stored, none for ${NO_PROGRESS_LIMIT_MS / 1000} s (dead letters: ${await countDeadLetters(database)})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Samples the benchmark database's other sessions every 200 ms: how often an active one waits on a lock, and on
 * what (printed), so contention between workers shows apart from CPU shortage on a loaded machine.
 */
function sampleLockWaits(database: TestDatabase): { stop(): Promise<number> } {
  let active = 0;
  let waiting = 0;
  const waits = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rows = await queryRows(
        database.db,
        "sampleLockWaits",
        z.object({ waitEvent: z.string().nullable(), statement: z.string() }),
        Prisma.sql`
        SELECT CASE WHEN wait_event_type = 'Lock' THEN wait_event END AS "waitEvent", left(query, 300) AS statement
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`,
      );
      active += rows.length;
      for (const row of rows) {
        if (row.waitEvent === null) continue;
        waiting += 1;
        const what = `${row.waitEvent}: ${describeStatement(row.statement.replace(/\s+/g, " ").trim())}`;
        waits.set(what, (waits.get(what) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      for (const [what, n] of [...waits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  lock waits: ${n} × ${what}`);
      return active === 0 ? 0 : waiting / active;
    },
  };
}

/** The writer's statements by what they write; its combined one (WITH s0 AS …) writes sessions, state, gauge and rollups. */
function describeStatement(statement: string): string {
  if (statement.startsWith("WITH s0 AS")) return "sessions + device state + gauge + rollups (combined statement)";
  if (statement.startsWith("WITH new_devices")) return "devices + events insert";
  if (statement.startsWith("INSERT INTO devices")) return "new devices, committed ahead";
  return /(INSERT INTO|UPDATE|DELETE FROM|SELECT .*? FROM) \S+/.exec(statement)?.[0] ?? statement.slice(0, 60);
}

/** The storm's devices as rows seen a day earlier, state unknown: a known fleet that reconnects. */
async function registerDevices(database: TestDatabase): Promise<void> {
  const ids = [...new Set(records.map((r) => r.clientId))];
  // A loop, not Math.min(...): 300,000 arguments overflow the stack.
  const earliest = records.reduce((min, r) => Math.min(min, r.timestamp), Infinity);
  const seen = new Date(earliest - 86_400_000);
  await database.db
    .$executeRaw`INSERT INTO devices (id, source, first_seen_at) SELECT id, 'aws-iot', ${seen} FROM unnest(${ids}::text[]) AS u(id)`;
}

async function countDeadLetters(database: TestDatabase): Promise<number> {
  const [row] = await queryRows(
    database.db,
    "countDeadLetters",
    z.object({ n: SqlCount }),
    Prisma.sql`SELECT count(*) AS n FROM dead_letters`,
  );
  return row?.n ?? 0;
}

async function countEvents(database: TestDatabase): Promise<number> {
  const [row] = await queryRows(
    database.db,
    "countEvents",
    z.object({ n: SqlCount }),
    Prisma.sql`SELECT count(*) AS n FROM connection_events`,
  );
  return row?.n ?? 0;
}

async function startMosquitto(): Promise<ChildProcess> {
  const configPath = path.join(workDir, "mosquitto.conf");
  // The worker holds PUBACKs until commit: the broker must let a whole batch be in flight and queue the storm.
  await writeFile(
    configPath,
    [
      `listener ${mqttPort} 127.0.0.1`,
      "allow_anonymous true",
      "max_inflight_messages 2000",
      "max_queued_messages 0",
      "persistence false",
      "",
    ].join("\n"),
  );
  const broker = spawn("mosquitto", ["-c", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  await waitForLine(broker, /mosquitto version .* running/, "stderr");
  return broker;
}

async function startWorker(
  databaseUrl: string,
  clientId: string,
  sharedGroup: string | undefined,
  topics: string | undefined,
): Promise<ChildProcess> {
  const worker = spawn(process.execPath, workerArgs, {
    cwd: workerDir,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      INGEST_SOURCE: "aws-iot",
      INGEST_CLIENT_ID: clientId,
      ...(sharedGroup ? { INGEST_SHARED_GROUP: sharedGroup } : {}),
      ...(topics ? { INGEST_TOPICS: topics } : {}),
      INCIDENT_DETECTION_INTERVAL_MS: "0",
      ALERT_EVALUATION_INTERVAL_MS: "0",
      ALERT_DELIVERY_INTERVAL_MS: "0",
      PROBE_SCHEDULE_TICK_MS: "0",
      LOG_LEVEL: "info",
    },
  });
  if (workerLogFile) worker.stdout?.pipe(createWriteStream(`${workerLogFile}.${clientId}`, { flags: "a" }));
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}

function printTable(rows: PhaseResult[]): void {
  const ceiling = rows.find((r) => r.phase === "copy");
  const ceilingRate = ceiling ? ceiling.events / ceiling.seconds : null;
  console.log(
    "\n| path | events/s | ratio to COPY | worker peak RSS (VmHWM) | events not stored 30 s after the last publish | sessions waiting on a lock | load average |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const rate = r.events / r.seconds;
    const lockWaits = r.lockWaitShare === undefined ? "–" : `${Math.round(r.lockWaitShare * 100)} %`;
    console.log(
      `| ${r.phase} | ${Math.round(rate).toLocaleString("en")} | ${ceilingRate ? `${Math.round((rate / ceilingRate) * 100)} %` : "–"} | ${r.rssMb !== undefined ? `${Math.round(r.rssMb)} MB` : "–"} | ${r.backlogAt30s === undefined ? "–" : r.backlogAt30s.toLocaleString("en")} | ${lockWaits} | ${r.load} |`,
    );
  }
  for (const [single, pair] of [
    ["shared1", "shared2"],
    ["known1", "known2"],
    ["split1", "split2"],
  ]) {
    const one = rows.find((r) => r.phase === single);
    const two = rows.find((r) => r.phase === pair);
    if (one && two)
      console.log(
        `\n${pair} / ${single} (two worker processes / one): ${(two.events / two.seconds / (one.events / one.seconds)).toFixed(2)}×`,
      );
  }
}
