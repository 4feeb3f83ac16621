import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb, Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { startJobQueue, type JobQueue } from "@/lib/jobs/job-queue.ts";
import type { PeriodicJob } from "@/lib/jobs/periodic-job.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { analyzeMonthAsEmpty, plannedRows } from "@/lib/testing/stale-month-statistics.ts";
import { startTestMosquitto, type TestMosquitto } from "@/lib/testing/test-mosquitto.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { spawnTestWorker, type TestWorkerProcess } from "@/lib/testing/worker-process.ts";
import { startStatisticsJob } from "./statistics-job.ts";

// Decision 064: where no autovacuum runs, the worker's statistics job re-analyzes a month partition that an ANALYZE
// saw empty, within minutes instead of at the next hourly retention pass.
const ROWS = 5_000;
const log = createLogger("statistics-job-test");

const testDb = useTestDatabase();
let db: Db;
let broker: TestMosquitto | undefined;
const workers: TestWorkerProcess[] = [];
const jobs: { queue: JobQueue; job: PeriodicJob }[] = [];
beforeAll(() => {
  db = createDb(testDb.url, 2);
});
afterAll(async () => {
  await stopJobs();
  for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all(workers.map(({ exited }) => exited));
  await broker?.stop();
  await db?.$disconnect();
});

async function stopJobs(): Promise<void> {
  for (const { queue, job } of jobs.splice(0)) {
    await job.stop();
    await queue.stop();
  }
}

async function autovacuumRuns(): Promise<boolean> {
  const [row] = await queryRows(
    db,
    "autovacuumRuns",
    z.object({ runs: z.boolean() }),
    Prisma.sql`SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher') AS runs`,
  );
  return row?.runs ?? false;
}

/** A month partition the planner believes empty while it holds ROWS events of one device each. */
async function staleMonth(at: Date): Promise<string> {
  const month = await analyzeMonthAsEmpty(db, at);
  const prefix = `stats-${randomUUID().slice(0, 8)}-`;
  await db.$executeRaw`
    INSERT INTO connection_events (device_id, kind, occurred_at, reason, initiator, source, dedupe_key, raw)
    SELECT ${prefix} || g, 'connected', ${at}, 'connected', 'client', 'aws-iot', ${prefix} || g, '{}'
    FROM generate_series(1, ${ROWS}) g`;
  expect(await plannedRows(db, month)).toBe(0);
  return month;
}

describe("the statistics job", () => {
  it("analyzes a month partition whose statistics say it is empty", async (context) => {
    if (await autovacuumRuns()) context.skip("this server runs autovacuum: the job does nothing by design");
    const month = await staleMonth(new Date(Date.UTC(2026, 11, 10, 12)));

    // An interval no second due time reaches during the test: the run at start is the one that analyzes.
    const queue = await startJobQueue(db, log);
    jobs.push({ queue, job: await startStatisticsJob(queue, db, log, 3_600_000) });

    expect(
      await waitFor(
        () => plannedRows(db, month),
        (rows) => rows >= ROWS,
      ),
    ).toBe(ROWS);
    // Stopped, so the worker's test below sees only what the worker process runs.
    await stopJobs();
    // This run's job holds its hour's slot (pg-boss: one job per queue and slot start, completed ones included). The
    // worker's 5-minute slots start on the hour too, so in an hour's first five minutes the worker's first offer was
    // refused and its run waited for the next slot, past the test's wait. Production never mixes intervals in a queue.
    expect(await db.$executeRaw`DELETE FROM pgboss.job WHERE name = 'statistics'`).toBeGreaterThan(0);
  });

  it("is started by the worker process, with the retention pass (which also analyzes) turned off", async (context) => {
    if (await autovacuumRuns()) context.skip("this server runs autovacuum: the job does nothing by design");
    const month = await staleMonth(new Date(Date.UTC(2027, 0, 10, 12)));
    broker = await startTestMosquitto();

    const worker = spawnTestWorker({
      DATABASE_URL: testDb.url,
      MQTT_URL: broker.url,
      INGEST_CLIENT_ID: `statistics-${randomUUID().slice(0, 8)}`,
      INGEST_TOPICS: `linkscope-test/${randomUUID()}/#`,
      RETENTION_INTERVAL_MS: "0",
      INCIDENT_DETECTION_INTERVAL_MS: "0",
      ALERT_EVALUATION_INTERVAL_MS: "0",
      ALERT_DELIVERY_INTERVAL_MS: "0",
      PROBE_SCHEDULE_TICK_MS: "0",
    });
    workers.push(worker);
    const { child, lines } = worker;

    // The default interval (5 minutes): its first due time runs when the worker starts.
    const analyzed = await waitFor(
      () => plannedRows(db, month),
      (rows) => rows >= ROWS || child.exitCode !== null,
      120_000,
    );
    expect({ analyzed, exit: child.exitCode, lastLines: lines.slice(-5) }).toMatchObject({ analyzed: ROWS, exit: null });
  });
});
