import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateReconnectStorm, type AwsPresenceRecord } from "@/lib/testing/reconnect-storm.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";

// Issue 13: N worker processes on one database and one broker. Two real worker processes (worker/main.ts) share a
// `$share` group; one is killed with SIGKILL mid-stream and started again, as a supervisor would. Every event is
// stored once with the right sessions and gauge, and every periodic job runs once per due time across processes.
const REPO = path.resolve(import.meta.dirname, "../..");
const DEVICES = 1_000;
const PERIODIC_JOBS = [
  "incident detection",
  "alert evaluation",
  "alert delivery",
  "scheduled probes",
  "retention pass",
  "cohort fold",
  "import resume",
];

type WorkerProcess = { name: string; child: ChildProcess; lines: string[]; exited: Promise<void> };

let broker: TestMosquitto;
let testDb: TestDatabase;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  // The workers hold PUBACKs until commit: the broker must let a batch be in flight and queue the whole storm.
  broker = await startTestMosquitto({ listenerOptions: ["max_inflight_messages 200", "max_queued_messages 0"] });
  testDb = await createTestDatabase();
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await Promise.all(processes.map((p) => p.exited));
  await testDb?.drop();
  await broker?.stop();
});

function startWorkerProcess(name: string, topicPrefix: string): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: testDb.url,
      MQTT_URL: broker.url,
      INGEST_SOURCE: "aws-iot",
      INGEST_TOPICS: `${topicPrefix}/#`,
      INGEST_SHARED_GROUP: "linkscope",
      INGEST_CLIENT_ID: name,
      INGEST_BATCH_SIZE: "50",
      INCIDENT_DETECTION_INTERVAL_MS: "1000",
      ALERT_EVALUATION_INTERVAL_MS: "1000",
      ALERT_DELIVERY_INTERVAL_MS: "1000",
      PROBE_SCHEDULE_TICK_MS: "1000",
      RETENTION_INTERVAL_MS: "5000",
      LOG_LEVEL: "debug",
    },
  });
  const lines: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on("line", (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const worker = { name, child, lines, exited };
  processes.push(worker);
  return worker;
}

const subscribed = (worker: WorkerProcess) => worker.lines.some((line) => line.includes('"msg":"subscribed"'));

async function countStored(): Promise<number> {
  const [row] = await testDb.db.$queryRaw<{ n: number }[]>`SELECT COUNT(*)::int AS n FROM connection_events`;
  return row?.n ?? 0;
}

/** What the storm must leave behind, from the records themselves. */
function expectedFrom(records: AwsPresenceRecord[]) {
  const connects = records.filter((r) => r.eventType === "connected");
  const disconnectedSessions = new Set(records.filter((r) => r.eventType === "disconnected").map((r) => r.sessionIdentifier));
  return {
    events: records.length,
    sessions: connects.length,
    closedSessions: connects.filter((r) => disconnectedSessions.has(r.sessionIdentifier)).length,
    disconnects: records.length - connects.length,
  };
}

type ClaimLine = { job: string; dueAt: string; runner: string };

function claimsIn(worker: WorkerProcess): ClaimLine[] {
  return worker.lines.flatMap((line) => {
    if (!line.includes('"msg":"periodic job claimed"')) return [];
    const parsed = JSON.parse(line) as ClaimLine;
    return [{ job: parsed.job, dueAt: new Date(parsed.dueAt).toISOString(), runner: parsed.runner }];
  });
}

describe("two worker processes on one database and one broker", () => {
  it("store a storm exactly once while one is killed mid-stream, and run each periodic job once per due time", async () => {
    const topicPrefix = `linkscope-test/${randomUUID()}/presence`;
    const records = generateReconnectStorm({
      devices: DEVICES,
      deviceIdPrefix: `nproc-${randomUUID().slice(0, 6)}-`,
      startMs: Date.UTC(2026, 10, 30, 12),
      spreadMs: 60_000,
    });
    const expected = expectedFrom(records);

    const first = startWorkerProcess(`ingest-a-${randomUUID().slice(0, 6)}`, topicPrefix);
    const second = startWorkerProcess(`ingest-b-${randomUUID().slice(0, 6)}`, topicPrefix);
    expect(await waitFor(() => subscribed(first) && subscribed(second), Boolean, 120_000)).toBe(true);

    const publisher = await mqtt.connectAsync(broker.url, { clientId: `pub-${randomUUID().slice(0, 6)}` });
    await Promise.all(
      records.map((r) => publisher.publishAsync(`${topicPrefix}/${r.eventType}/${r.clientId}`, JSON.stringify(r), { qos: 1 })),
    );
    await publisher.endAsync();

    // Kill the first worker while the storm is being written; the second keeps going on its own.
    await waitFor(countStored, (n) => n >= expected.events * 0.15, 150_000);
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = await countStored();
    expect(atKill).toBeLessThan(expected.events);
    const whileAlone = await waitFor(countStored, (n) => n >= Math.min(expected.events, atKill + expected.events * 0.1), 150_000);
    expect(whileAlone).toBeGreaterThanOrEqual(Math.min(expected.events, atKill + expected.events * 0.1));

    // Restarted with its client ID (its persistent session holds what it had not acknowledged).
    const restarted = startWorkerProcess(first.name, topicPrefix);
    expect(await waitFor(countStored, (n) => n >= expected.events, 150_000)).toBe(expected.events);

    const [stored] = await testDb.db.$queryRaw<
      {
        events: number;
        keys: number;
        deadLetters: number;
        devices: number;
        online: number;
        gauge: number;
        rollup: number;
        sessions: number;
        closed: number;
        inferred: number;
      }[]
    >`
      SELECT (SELECT COUNT(*)::int FROM connection_events) AS events,
             (SELECT COUNT(DISTINCT dedupe_key)::int FROM connection_events) AS keys,
             (SELECT COUNT(*)::int FROM dead_letters) AS "deadLetters",
             (SELECT COUNT(*)::int FROM devices) AS devices,
             (SELECT COUNT(*)::int FROM devices WHERE state = 'online') AS online,
             (SELECT COALESCE(SUM(delta), 0)::int FROM fleet_connected_minute) AS gauge,
             (SELECT COALESCE(SUM(count), 0)::int FROM event_rollup_minute) AS rollup,
             (SELECT COUNT(*)::int FROM sessions) AS sessions,
             (SELECT COUNT(*)::int FROM sessions WHERE ended_at IS NOT NULL AND NOT end_inferred) AS closed,
             (SELECT COUNT(*)::int FROM sessions WHERE end_inferred) AS inferred`;
    expect(stored).toEqual({
      events: expected.events,
      keys: expected.events,
      deadLetters: 0,
      devices: DEVICES,
      online: DEVICES,
      gauge: DEVICES,
      rollup: expected.events,
      sessions: expected.sessions,
      closed: expected.closedSessions,
      inferred: 0,
    });

    // Periodic jobs: wait until the restarted process has claimed a due time too, then stop everything cleanly.
    await waitFor(
      () => claimsIn(restarted).length,
      (n) => n > 0,
      120_000,
    );
    for (const worker of [second, restarted]) worker.child.kill("SIGTERM");
    await Promise.all([second.exited, restarted.exited]);

    const claims = [first, second, restarted].flatMap(claimsIn);
    const runs = await testDb.db.periodicJobRun.findMany({ orderBy: [{ job: "asc" }, { dueAt: "asc" }] });
    const key = (c: { job: string; dueAt: string }) => `${c.job} @ ${c.dueAt}`;
    // Each due time of each job was run by exactly one process, and every run recorded is one a process ran; only
    // the killed process may have recorded a claim it had no time to log.
    const claimedKeys = claims.map(key).sort();
    expect(new Set(claimedKeys).size).toBe(claimedKeys.length);
    const recorded = new Map(runs.map((r) => [key({ job: r.job, dueAt: r.dueAt.toISOString() }), r.runner]));
    expect(claimedKeys.filter((k) => !recorded.has(k))).toEqual([]);
    const unlogged = [...recorded.entries()].filter(([k]) => !claimedKeys.includes(k));
    expect(unlogged.length).toBeLessThanOrEqual(PERIODIC_JOBS.length);
    for (const [, runner] of unlogged) expect(runner.endsWith(`:${first.child.pid}`)).toBe(true);
    expect(new Set(runs.map((r) => r.job))).toEqual(new Set(PERIODIC_JOBS));
    // Both processes took turns (the survivor ran them while the other was dead).
    expect(new Set(claims.filter((c) => c.job === "incident detection").map((c) => c.runner)).size).toBeGreaterThanOrEqual(2);
    expect(claimsIn(second).some((c) => c.job === "incident detection")).toBe(true);
    // Three worker processes start through tsx, and each wait above is bounded on its own: the project's 180 s
    // would end the test before any of them could say what was missing on a loaded machine.
  }, 900_000);
});
