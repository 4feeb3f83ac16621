import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client.ts";
import { createLogger } from "@/lib/log/logger.ts";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { startJobQueue, type JobQueue } from "./job-queue.ts";
import { startPeriodicJob, toQueueName, type PeriodicJob } from "./periodic-job.ts";

// Issue 13: periodic jobs run from pg-boss (decision 027). Two job queues on their own pools stand in for two worker
// processes; a real child process is killed with SIGKILL in the middle of a run.
const REPO = path.resolve(import.meta.dirname, "../..");
const log = createLogger("periodic-job-test");

let testDb: TestDatabase;
const pools: Db[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(pools.map((db) => db.$disconnect()));
  await testDb?.drop();
});

/** A worker process's job queue: its own pool on the test database. */
async function startProcessQueue(maintenanceIntervalMs?: number): Promise<JobQueue> {
  const db = createDb(testDb.url, 2);
  pools.push(db);
  return startJobQueue(db, log, { maintenanceIntervalMs });
}

type JobRow = { id: string; dueAt: Date; state: string; retries: number; runner: string | null };

async function jobRows(name: string): Promise<JobRow[]> {
  return testDb.db.$queryRaw<JobRow[]>`
    SELECT id::text AS id, singleton_on AS "dueAt", state::text AS state, retry_count AS retries, output->>'runner' AS runner
    FROM pgboss.job WHERE name = ${toQueueName(name)} ORDER BY singleton_on`;
}

describe("periodic jobs on the job queue", () => {
  it("run each due time once across two processes, and a slow run never overlaps the next", async () => {
    const name = `slow tick ${randomUUID().slice(0, 8)}`;
    const queues = await Promise.all([startProcessQueue(), startProcessQueue()]);
    let active = 0;
    let mostActive = 0;
    const runs: number[] = [];
    const started: PeriodicJob[] = [];
    for (const [index, queue] of queues.entries()) {
      started.push(
        await startPeriodicJob(queue, log, name, { intervalMs: 1_000, expireAfterMs: 60_000 }, async () => {
          active++;
          mostActive = Math.max(mostActive, active);
          // Longer than the period: the next due time waits for this run instead of starting beside it.
          await new Promise((resolve) => setTimeout(resolve, 1_300));
          active--;
          runs.push(index);
        }),
      );
    }
    await waitFor(
      () => runs.length,
      (count) => count >= 3,
    );
    await Promise.all(started.map((job) => job.stop()));
    await Promise.all(queues.map((queue) => queue.stop()));

    expect(mostActive).toBe(1);
    const completed = (await jobRows(name)).filter((row) => row.state === "completed");
    expect(completed).toHaveLength(runs.length);
    expect(new Set(completed.map((row) => row.dueAt.getTime())).size).toBe(runs.length);
  });

  it("runs a due time again in another process when the process running it was killed, after the run's expiry", async () => {
    const name = `hung tick ${randomUUID().slice(0, 8)}`;
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/hung-periodic-job-process.ts", name, "1000", "3000"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, DATABASE_URL: testDb.url, LOG_LEVEL: "warn" },
    });
    children.push(child);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // Killed as soon as its run starts: well within the expiry, past which the child's pg-boss would give up on it.
    let runStarted = false;
    if (child.stdout) {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (!line.includes('"started"')) return;
        runStarted = true;
        child.kill("SIGKILL");
      });
    }
    await exited;
    expect(runStarted).toBe(true);
    const [killed, ...others] = (await jobRows(name)).filter((row) => row.state === "active");
    expect(others).toEqual([]);
    expect(killed).toMatchObject({ retries: 0, runner: null });

    const survivor = await startProcessQueue(1_000);
    let survivorRuns = 0;
    const job = await startPeriodicJob(survivor, log, name, { intervalMs: 1_000, expireAfterMs: 3_000 }, async () => {
      survivorRuns++;
    });
    try {
      const rerun = await waitFor(
        async () => (await jobRows(name)).find((row) => row.id === killed?.id),
        (row) => row?.state === "completed",
      );
      expect(rerun).toMatchObject({ dueAt: killed?.dueAt, retries: 1, runner: survivor.runner });
      expect(survivorRuns).toBeGreaterThanOrEqual(1);
    } finally {
      await job.stop();
      await survivor.stop();
    }
  });

  it("keeps running when recording a finished run fails (a database outage at that moment): the due time runs again", async () => {
    const name = `lost completion ${randomUUID().slice(0, 8)}`;
    const queue = await startProcessQueue(1_000);
    // The connection lost just as the first run finishes. pg-boss 10's own worker did not await this call, so the
    // rejection went unhandled and ended the process.
    const complete = queue.boss.complete.bind(queue.boss);
    let failedCompletions = 0;
    queue.boss.complete = (async (...args: Parameters<typeof complete>) => {
      if (failedCompletions === 0) {
        failedCompletions++;
        throw new Error("Connection terminated unexpectedly");
      }
      return complete(...args);
    }) as typeof queue.boss.complete;
    // One due time in the minute-long period; the rerun after the expiry is fetched by a poll every second instead of
    // the next offer, half a period later.
    const dueTimes: (string | undefined)[] = [];
    const job = await startPeriodicJob(
      queue,
      log,
      name,
      { intervalMs: 60_000, expireAfterMs: 2_000, pollingIntervalMs: 1_000 },
      async () => {
        const [active] = (await jobRows(name)).filter((row) => row.state === "active");
        dueTimes.push(active?.id);
      },
    );
    try {
      const rerun = await waitFor(
        async () => (await jobRows(name)).find((row) => row.state === "completed"),
        (row) => row !== undefined,
      );
      expect(failedCompletions).toBe(1);
      // The same job, run a second time after its expiry, then recorded.
      expect(dueTimes).toEqual([rerun?.id, rerun?.id]);
      expect(rerun).toMatchObject({ retries: 1, runner: queue.runner });
    } finally {
      await job.stop();
      await queue.stop();
    }
  });

  it("starts in two processes at once without failing: queues created side by side deadlocked in pg-boss", async () => {
    // pg-boss creates a queue as a partition of its job table with foreign keys to its queue table; two processes
    // creating different queues at the same moment deadlock there (40P01), which ended a worker at startup.
    const queues = await Promise.all([startProcessQueue(), startProcessQueue()]);
    const names = Array.from({ length: 8 }, (_, i) => `startup ${i} ${randomUUID().slice(0, 8)}`);
    const timing = { intervalMs: 60_000, expireAfterMs: 60_000 };
    const startAll = (queue: JobQueue, order: string[]) =>
      Promise.all(order.map((name) => startPeriodicJob(queue, log, name, timing, async () => undefined)));
    const results = await Promise.allSettled([startAll(queues[0]!, names), startAll(queues[1]!, [...names].reverse())]);
    try {
      expect(results.flatMap((result) => (result.status === "rejected" ? [String(result.reason)] : []))).toEqual([]);
    } finally {
      await Promise.all(results.flatMap((result) => (result.status === "fulfilled" ? result.value.map((job) => job.stop()) : [])));
      await Promise.all(queues.map((queue) => queue.stop()));
    }
  });
});
