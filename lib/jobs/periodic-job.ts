import os from "node:os";
import { z } from "zod";
import { Prisma, type Db } from "@/lib/db/client.ts";
import { queryRows } from "@/lib/db/query-rows.ts";
import { SqlDate } from "@/lib/db/sql-values.ts";
import type { Logger } from "@/lib/log/logger.ts";

/** Run records kept per job; a day covers every question about "did it run once" without growing the table. */
const RUN_RECORDS_KEPT_MS = 86_400_000;
const RUNNER = `${os.hostname()}:${process.pid}`;

/**
 * Runs `run` now and then every `intervalMs` in the worker process, never two at once (a slow run skips ticks);
 * failures are logged and the next tick tries again. `stop()` waits for a run in progress.
 *
 * Several worker processes may run the same job: each due time (the database clock floored to `intervalMs`) runs in
 * the one process whose insert of its periodic_job_runs row wins; the others skip it. A process that dies mid-run
 * loses that due time only; the next one runs as usual.
 */
export function startPeriodicJob(
  db: Db,
  log: Logger,
  name: string,
  intervalMs: number,
  run: () => Promise<void>,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runIfClaimed(db, log, name, intervalMs, run)
      .catch((error: unknown) => log.error({ err: error }, `${name} failed`))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

async function runIfClaimed(db: Db, log: Logger, job: string, intervalMs: number, run: () => Promise<void>): Promise<void> {
  const claimed = await queryRows(
    db,
    "claimPeriodicJobRun",
    z.object({ due_at: SqlDate }),
    Prisma.sql`
    INSERT INTO periodic_job_runs (job, due_at, runner)
    VALUES (${job}, to_timestamp(floor(extract(epoch FROM clock_timestamp()) * 1000 / ${intervalMs}::float8) * ${intervalMs}::float8 / 1000), ${RUNNER})
    ON CONFLICT (job, due_at) DO NOTHING
    RETURNING due_at`,
  );
  const dueAt = claimed[0]?.due_at;
  if (!dueAt) return;
  log.debug({ job, dueAt, runner: RUNNER }, "periodic job claimed");
  let failure: unknown = null;
  try {
    await run();
  } catch (error) {
    failure = error;
  }
  const error = failure === null ? null : failure instanceof Error ? failure.message : String(failure);
  await db.$executeRaw`UPDATE periodic_job_runs SET finished_at = clock_timestamp(), error = ${error} WHERE job = ${job} AND due_at = ${dueAt}`;
  await db.$executeRaw`DELETE FROM periodic_job_runs WHERE job = ${job} AND due_at < ${new Date(dueAt.getTime() - RUN_RECORDS_KEPT_MS)}`;
  if (failure !== null) throw failure;
}
