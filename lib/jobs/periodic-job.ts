import type PgBoss from "pg-boss";
import type { Logger } from "@/lib/log/logger.ts";
import type { JobQueue } from "./job-queue.ts";

export type PeriodicJobTiming = {
  /** How often it runs; due times are whole-second slots of the database clock, so at least one second. */
  intervalMs: number;
  /**
   * How long a run may take before it counts as lost (its process killed) and is run again by any process. Until then
   * a killed run holds the job, so this is also how long a crash can delay it. A run still going past it may overlap its
   * rerun in another process: size it well above a run.
   */
  expireAfterMs: number;
  /**
   * How often this process looks for a run to fetch besides its own offers: runs retried after their expiry, and runs
   * another process offered while this one was busy. Defaults to once per slot (`pollingSecondsFor`); tests whose
   * interval is long, so that no second due time arrives, make it a second.
   */
  pollingIntervalMs?: number | undefined;
};

export type PeriodicJob = { stop(): Promise<void> };

/** What a completed run stores in `pgboss.job.output`. */
export type PeriodicRunOutput = { runner: string };

/**
 * Runs `run` once per `intervalMs` across every process that starts the same job, the current due time at once unless
 * another process has run it (decision 027). Each process offers a pg-boss job for the current time slot twice per slot
 * (`singletonSeconds`: one job per queue and slot, the other offers are refused) and then fetches it; one fetch wins. The queue is `stately`: one run active and one waiting at most, so a slow run delays the next one instead of
 * overlapping it or piling runs up. A run whose process died is failed at its expiry by pg-boss's maintenance and run
 * again (same due time), once; so is a run that throws. `stop()` waits for a run in progress in this process.
 */
export async function startPeriodicJob(
  jobs: JobQueue,
  log: Logger,
  name: string,
  timing: PeriodicJobTiming,
  run: () => Promise<void>,
): Promise<PeriodicJob> {
  const queue = toQueueName(name);
  const slotSeconds = toSlotSeconds(timing.intervalMs);
  const expireAfterMs = Math.min(timing.expireAfterMs, jobs.maxExpireAfterMs ?? Infinity);
  const options = periodicQueueOptions(queue, { ...timing, expireAfterMs });
  await jobs.ensureQueue(queue, options);

  let running: Promise<void> | null = null;
  let stopped = false;

  // Our own fetch and an awaited completion rather than pg-boss's `work()`: pg-boss 10 completes a worker's job
  // without awaiting it, so a database outage at that moment was an unhandled rejection that ended the process. Here
  // it is logged; the job stays active until its expiry and then runs again.
  const runOne = async (job: PgBoss.JobWithMetadata) => {
    const started = { job: name, dueAt: dueTimeOf(job), jobId: job.id, retry: job.retryCount, runner: jobs.runner };
    log.debug(started, "periodic job started");
    try {
      await run();
    } catch (error) {
      log.error({ err: error, ...started }, `${name} failed`);
      await jobs.boss.fail(queue, job.id, { message: errorMessage(error), runner: jobs.runner });
      return;
    }
    const output: PeriodicRunOutput = { runner: jobs.runner };
    await jobs.boss.complete(queue, job.id, output);
  };

  const poll = async () => {
    if (running || stopped) return;
    const [job] = await jobs.boss.fetch<object>(queue, { includeMetadata: true });
    if (!job || stopped) return;
    running = runOne(job)
      .catch((error: unknown) => log.error({ err: error, job: name }, "periodic job run not recorded; it runs again after its expiry"))
      .finally(() => {
        running = null;
      });
  };
  const pollLogged = () => poll().catch((error: unknown) => log.error({ err: error, job: name }, "periodic job not fetched"));

  const offer = async () => {
    await jobs.boss.send(queue, {}, { singletonSeconds: slotSeconds });
    // Whoever created the slot's job, this process takes it if it is free: one fetch wins.
    await poll();
  };
  const offerLogged = () => offer().catch((error: unknown) => log.error({ err: error, job: name }, "periodic job not offered"));
  // Twice per slot, so a slot is offered even when a timer fires late; retried runs are found by the same fetch.
  const offers = setInterval(() => void offerLogged(), slotSeconds * 500);
  offers.unref();
  const polls = setInterval(() => void pollLogged(), timing.pollingIntervalMs ?? pollingSecondsFor(slotSeconds) * 1000);
  polls.unref();
  await offerLogged();

  return {
    async stop() {
      stopped = true;
      clearInterval(offers);
      clearInterval(polls);
      await running;
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** pg-boss queue names allow letters, digits, `_` and `-`: "incident detection" → "incident-detection". */
export function toQueueName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
}

export function toSlotSeconds(intervalMs: number): number {
  return Math.max(1, Math.round(intervalMs / 1000));
}

/**
 * Polling only finds runs another process offered while this one was busy, and retried runs; the offering process is
 * notified. Once per slot, bounded by pg-boss's minimum and by a minute for long periods (a retried retention pass).
 */
export function pollingSecondsFor(slotSeconds: number): number {
  return Math.min(60, Math.max(1, slotSeconds));
}

export function periodicQueueOptions(queue: string, timing: PeriodicJobTiming): PgBoss.Queue {
  return {
    name: queue,
    policy: "stately",
    expireInSeconds: Math.max(1, Math.ceil(timing.expireAfterMs / 1000)),
    retryLimit: 1,
    retryDelay: 0,
    retryBackoff: false,
  };
}

/**
 * The job's time slot. pg-boss stores it as `timestamp without time zone` in UTC, which node-postgres reads as local
 * time; shifted back, every process names a due time alike whatever its time zone.
 */
function dueTimeOf(job: PgBoss.JobWithMetadata): string | null {
  const slot = job.singletonOn;
  return slot ? new Date(slot.getTime() - slot.getTimezoneOffset() * 60_000).toISOString() : null;
}
